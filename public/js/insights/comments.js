// The recent comments, each with its log id, and the panel that opens a comment's gateway
// log through the debug route (DEBUG_TOKEN).

import { explainLogFailure, fetchLog } from "./api.js";
import { isBehindAccess } from "./tokens.js";

const $ = (id) => document.getElementById(id);
export const VOTES = { up: "Good answer", down: "Bad answer", clear: "Vote withdrawn" };

/** The comments (GET /api/admin/feedback's items), newest first. */
export function renderComments(comments) {
	const template = $("comment-template");
	$("comments").replaceChildren(
		...comments.map((item) => {
			const node = template.content.firstElementChild.cloneNode(true);
			node.querySelector(".comment-text").textContent = item.comment;
			const score = item.score == null ? "" : ` · score ${item.score}`;
			node.querySelector(".comment-meta").textContent =
				`${VOTES[item.vote] ?? item.vote}${score} · ${item.model ?? "unknown model"} · ${new Date(item.createdAt).toLocaleString()}`;
			node.querySelector(".log-id").textContent = item.aiGatewayLogId;
			const button = node.querySelector(".open-log");
			button.dataset.logId = item.aiGatewayLogId;
			button.setAttribute("aria-label", `Open gateway log ${item.aiGatewayLogId}`);
			return node;
		}),
	);
	$("no-comments").hidden = comments.length > 0;
}

/** Shows the answer's gateway log in the panel, with the debug token typed in, if any. */
async function openLog(logId) {
	$("log-panel").hidden = false;
	$("log-title").textContent = `Gateway log ${logId}`;
	$("log-json").textContent = "";
	$("log-title").focus();
	const token = $("debug-token").value.trim();
	// Behind Cloudflare Access the debug route needs no token either.
	if (!token && !isBehindAccess()) {
		$("log-status").textContent = "Enter the debug token (DEBUG_TOKEN) above to open gateway logs.";
		return;
	}
	$("log-status").textContent = "Loading…";
	try {
		const log = await fetchLog(logId, token);
		$("log-status").textContent = "";
		$("log-json").textContent = JSON.stringify(log, null, 2);
	} catch (error) {
		$("log-status").textContent = explainLogFailure(error);
	}
}

/** A comment's "Open gateway log" button opens its log, and so do a disagreement's two. */
export function initComments() {
	for (const list of [$("comments"), $("disagreements")])
		list.addEventListener("click", (event) => {
			const button = event.target.closest(".open-log");
			if (button) openLog(button.dataset.logId);
		});
}
