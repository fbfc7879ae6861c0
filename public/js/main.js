// The chat page's entry point (a native ES module, no build step): streams answers from
// POST /api/chat, sends thumbs to POST /api/feedback, and shows a gateway log from
// GET /api/logs/:aiGatewayLogId. No framework, no third-party code.

import { initChat } from "./chat.js";
import { initDebugPanel } from "./debug-panel.js";
import { FeedbackOutbox, FeedbackSenders } from "./feedback-outbox.js";

// localStorage is reached on each use, as before: where storage is off, only voting fails.
const storage = {
	getItem: (key) => localStorage.getItem(key),
	setItem: (key, value) => localStorage.setItem(key, value),
};
const senders = new FeedbackSenders({ outbox: new FeedbackOutbox(storage) });
const debugPanel = initDebugPanel(document);
initChat(document, { senders, onRatable: debugPanel.addAnswer });

// Votes left in the outbox by an earlier visit (offline, closed tab) go out now, and
// again whenever the browser comes back online.
window.addEventListener("online", () => void senders.flush());
void senders.flush();
