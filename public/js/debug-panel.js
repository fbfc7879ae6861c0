// The debug panel: shows an answer's gateway log from GET /api/logs/:aiGatewayLogId, with the
// DEBUG_TOKEN kept in sessionStorage for the tab's lifetime.

import { errorMessage } from "./http.js";

/** Wires the panel in `root` (the document); returns addAnswer, for each ratable answer. */
export function initDebugPanel(root) {
	const $ = (selector) => root.querySelector(selector);
	const debugForm = $("#debug-form");
	const debugToken = $("#debug-token");
	const debugAnswer = $("#debug-answer");
	const debugStatus = $("#debug-status");
	const debugLog = $("#debug-log");

	try {
		debugToken.value = sessionStorage.getItem("debugToken") ?? "";
	} catch {
		// Storage is off (blocked cookies): the token is typed in each time.
	}
	debugToken.addEventListener("change", () =>
		sessionStorage.setItem("debugToken", debugToken.value),
	);

	debugForm.addEventListener("submit", async (event) => {
		event.preventDefault();
		debugLog.textContent = "";
		if (!debugAnswer.value) {
			debugStatus.textContent = "No answer to inspect yet.";
			return;
		}
		debugStatus.textContent = "Loading…";
		try {
			const res = await fetch(`/api/logs/${encodeURIComponent(debugAnswer.value)}`, {
				headers: { authorization: `Bearer ${debugToken.value.trim()}` },
			});
			if (!res.ok) {
				debugStatus.textContent = `Error: ${await errorMessage(res)}`;
				return;
			}
			const log = await res.json();
			debugStatus.textContent = `Log ${log.id}: feedback ${log.feedback ?? "none"}`;
			debugLog.textContent = JSON.stringify(log, null, 2);
		} catch (error) {
			debugStatus.textContent = `Error: ${error.message}`;
		}
	});

	/** Lists an answer ({ aiGatewayLogId, number }) and selects it. */
	function addAnswer(entry) {
		const option = document.createElement("option");
		option.value = entry.aiGatewayLogId;
		option.textContent = `Answer ${entry.number} (${entry.aiGatewayLogId})`;
		debugAnswer.append(option);
		debugAnswer.value = entry.aiGatewayLogId;
	}

	return { addAnswer };
}
