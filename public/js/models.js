// The model picker, fed by GET /api/models; the choice is kept across reloads.

import { shortModel } from "./answer-view.js";

const KIND_LABELS = {
	"dynamic-route": "dynamic route",
	"auto-router": "Auto Router",
	"model-alias": "model alias",
	"third-party": "third party",
};

/**
 * Fills `select` from the server (`loadModels` resolves to GET /api/models's body); returns
 * () => the chosen model ("" for the server's default).
 */
export function initModelPicker(select, store, loadModels) {
	select.addEventListener("change", () => {
		store.model = select.value;
	});
	void (async () => {
		try {
			const { models } = await loadModels();
			const options = models.map((model) => {
				const option = document.createElement("option");
				option.value = model.id;
				const kind = KIND_LABELS[model.kind];
				option.textContent = `${shortModel(model.id)}${kind ? ` (${kind})` : ""}${model.default ? " (default)" : ""}`;
				option.title = model.id;
				return option;
			});
			select.replaceChildren(...options);
			const saved = store.model;
			select.value = models.some((model) => model.id === saved)
				? saved
				: (models.find((model) => model.default)?.id ?? "");
		} catch {
			// Offline: the server's default model answers.
		}
	})();
	return () => select.value;
}
