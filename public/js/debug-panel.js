// The debug panel: shows an answer's gateway log from GET /api/logs/:logId, with the
// DEBUG_TOKEN kept in sessionStorage for the tab's lifetime. What it shows always belongs
// to the answer selected: a new answer is selected only while no log is on display, and
// choosing another answer clears the one shown.

import { errorMessage } from "./http.js";

/** The gateway writes a log a moment after the answer: a missing log is asked for again. */
const NOT_WRITTEN_RETRIES = 6;

/** Wires the panel in `root` (the document); returns addAnswer, for each ratable answer. */
export function initDebugPanel(root) {
	const $ = (selector) => root.querySelector(selector);
	const debugForm = $("#debug-form");
	const debugToken = $("#debug-token");
	const debugAnswer = $("#debug-answer");
	const debugStatus = $("#debug-status");
	const debugLog = $("#debug-log");
	let request = 0;
	// The log scrolls: the keyboard must be able to reach it.
	debugLog.tabIndex = 0;

	try {
		debugToken.value = sessionStorage.getItem("debugToken") ?? "";
	} catch {
		// Storage is off (blocked cookies): the token is typed in each time.
	}
	debugToken.addEventListener("change", () => {
		try {
			sessionStorage.setItem("debugToken", debugToken.value);
		} catch {
			// As above.
		}
	});

	function clear() {
		request++;
		debugStatus.textContent = "";
		debugLog.textContent = "";
		debugLog.hidden = true;
	}

	debugAnswer.addEventListener("change", clear);

	debugForm.addEventListener("submit", async (event) => {
		event.preventDefault();
		clear();
		const mine = request;
		const logId = debugAnswer.value;
		if (!logId) {
			debugStatus.textContent = "No answer to inspect yet.";
			return;
		}
		const label = debugAnswer.selectedOptions[0]?.textContent ?? logId;
		debugStatus.textContent = `Loading the log of ${label}…`;
		try {
			for (let attempt = 0; ; attempt++) {
				const res = await fetch(`/api/logs/${encodeURIComponent(logId)}`, {
					headers: { authorization: `Bearer ${debugToken.value.trim()}` },
				});
				if (mine !== request) return;
				if (res.status === 404 && attempt < NOT_WRITTEN_RETRIES) {
					debugStatus.textContent = `The gateway has not written the log of ${label} yet; asking again…`;
					await new Promise((done) => setTimeout(done, 500));
					if (mine !== request) return;
					continue;
				}
				if (!res.ok) {
					debugStatus.textContent = `Could not show the log of ${label}: ${await errorMessage(res)}`;
					return;
				}
				const log = await res.json();
				if (mine !== request) return;
				debugStatus.textContent = `Log ${log.id}: feedback ${log.feedback ?? "none"}`;
				debugLog.textContent = JSON.stringify(log, null, 2);
				debugLog.hidden = false;
				return;
			}
		} catch (error) {
			if (mine === request)
				debugStatus.textContent = `Could not reach the server (${error.message}).`;
		}
	});

	/** Lists an answer ({ aiGatewayLogId, number }); selects it unless a log is on display. */
	function addAnswer(entry) {
		if ([...debugAnswer.options].some((option) => option.value === entry.aiGatewayLogId)) return;
		const option = document.createElement("option");
		option.value = entry.aiGatewayLogId;
		option.textContent = `Answer ${entry.number} (${entry.aiGatewayLogId})`;
		debugAnswer.append(option);
		if (debugLog.hidden && !debugStatus.textContent) debugAnswer.value = entry.aiGatewayLogId;
	}

	return { addAnswer };
}
