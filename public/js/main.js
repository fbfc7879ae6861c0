// The chat page's entry point (a native ES module, no build step): streams answers from
// POST /api/chat, sends thumbs to POST /api/feedback, and shows a gateway log from
// GET /api/logs/:logId. No framework; markdown-it and eventsource-parser are the libraries,
// served from public/vendor/.

import { initChat } from "./chat.js";
import { ConversationStore } from "./conversation-store.js";
import { initDebugPanel } from "./debug-panel.js";
import { FeedbackOutbox, FeedbackSenders } from "./feedback-outbox.js";
import { createHumanCheck } from "./human-check.js";
import { modelsSource, ServerLimits } from "./limits.js";
import { initModelPicker } from "./models.js";

// localStorage is reached on each use, as before: where storage is off, only voting fails.
const storage = {
	getItem: (key) => localStorage.getItem(key),
	setItem: (key, value) => localStorage.setItem(key, value),
};
// GET /api/models, asked once: the models for the picker, and the API's limits.
const loadModels = modelsSource();
const limits = new ServerLimits(loadModels);
void limits.load();
const senders = new FeedbackSenders({
	outbox: new FeedbackOutbox(storage),
	scoreRange: () => limits.current?.score,
});
const debugPanel = initDebugPanel(document);
const selectedModel = initModelPicker(
	document.querySelector("#model"),
	new ConversationStore(storage),
	loadModels,
);
// Turnstile, when the server asks for it (GET /api/models names its site key).
const note = document.querySelector("#composer-note");
const humanCheck = createHumanCheck(document.querySelector("#human-check"), loadModels, (text) => {
	note.textContent = text;
});
initChat(document, {
	senders,
	onRatable: debugPanel.addAnswer,
	storage,
	selectedModel,
	limits,
	humanCheck,
});

// Votes left in the outbox by an earlier visit (offline, closed tab) go out now, and
// again whenever the browser comes back online.
window.addEventListener("online", () => void senders.flush());
void senders.flush();
