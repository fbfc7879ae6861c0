// The LLM judge checked against people: from the judge's verdicts against people's votes that
// GET /api/admin/stats serves (`judge.votes`, each model's `judgeVotes`), agreement, Cohen's
// kappa with its 95% interval, the confusion matrix and the precision and recall of the
// judge's "bad" against thumbs-down, by the Worker's own math (src/core/agreement.ts, compiled
// to /vendor/verdict); and the latest disagreements, each opening both gateway logs.

import { judgeAgreement } from "../../vendor/verdict/agreement.js";
import { VOTES } from "./comments.js";
import { count, percent, plural } from "./format.js";
import { fillTable } from "./tables.js";

const $ = (id) => document.getElementById(id);

const kappa = (agreement) =>
	agreement.kappa == null
		? "–"
		: `${agreement.kappa.toFixed(2)} (${agreement.kappaLow.toFixed(2)} to ${agreement.kappaHigh.toFixed(2)})`;

/** The judge's panel, or a hint when it gave no verdict in the period. */
export function renderJudge(stats, disagreements) {
	const { judge } = stats;
	const none = judge.verdicts === 0;
	$("no-judge").hidden = !none;
	$("judge").hidden = none;
	if (none) return;
	const agreement = judgeAgreement(judge.votes);
	const cost =
		judge.tokensPerVerdict == null
			? ""
			: ` Its calls used ${count.format(Math.round(judge.tokensPerVerdict))} tokens a verdict: ${count.format(Math.round(judge.tokensPerVerdict * 1000))} per 1,000 judged answers.`;
	const unparseable = judge.unparseable
		? ` ${plural(judge.unparseable, "reply")} did not follow the rubric's shape and gave no verdict.`
		: "";
	$("judge-summary").textContent =
		agreement.total === 0
			? `${plural(judge.verdicts, "verdict")}, none yet on an answer people voted on.${unparseable}${cost}`
			: `On ${plural(agreement.total, "answer")} both judged and voted on, the judge agrees with people on ${percent(agreement.agreement)}: Cohen's κ ${kappa(agreement)}. Of the answers it calls bad, people voted ${percent(agreement.precisionBad)} down (precision); of those they voted down, it calls ${percent(agreement.recallBad)} bad (recall).${unparseable}${cost}`;
	const { confusion } = agreement;
	fillTable(
		"judge-confusion",
		[
			["Good", confusion.judgeGoodPeopleUp, confusion.judgeGoodPeopleDown],
			["Bad", confusion.judgeBadPeopleUp, confusion.judgeBadPeopleDown],
		],
		-1,
		([label, up, down]) => [label, count.format(up), count.format(down)],
	);
	fillTable("judge-models-table", stats.models, 0, (row) => {
		const ofModel = judgeAgreement(row.judgeVotes);
		return [
			row.model,
			count.format(ofModel.total),
			percent(ofModel.agreement),
			kappa(ofModel),
			percent(ofModel.precisionBad),
			percent(ofModel.recallBad),
		];
	});
	renderDisagreements(disagreements);
}

/** The latest disagreements (GET /api/admin/feedback?judgeAgrees=false), newest first. */
function renderDisagreements(items) {
	const template = $("disagreement-template");
	$("disagreements").replaceChildren(
		...items.map((item) => {
			const node = template.content.firstElementChild.cloneNode(true);
			const score = item.judgeScore == null ? "" : `, ${item.judgeScore}`;
			node.querySelector(".comment-meta").textContent =
				`People: ${VOTES[item.vote] ?? item.vote} · Judge: ${item.judgeVerdict}${score} · ${item.model ?? "unknown model"} · ${new Date(item.createdAt).toLocaleString()}`;
			node.querySelector(".judge-rationale").textContent = `Judge: ${item.judgeRationale ?? ""}`;
			const comment = node.querySelector(".people-comment");
			comment.textContent = item.comment ? `Comment: ${item.comment}` : "";
			comment.hidden = !item.comment;
			for (const [selector, logId, whose] of [
				[".answer-log", item.aiGatewayLogId, "the answer's"],
				[".judge-log", item.judgeLogId, "the judge's"],
			]) {
				const button = node.querySelector(selector);
				button.dataset.logId = logId;
				button.hidden = !logId;
				// The visible words first: the accessible name holds them (WCAG 2.5.3).
				button.setAttribute("aria-label", `Open ${whose} log (gateway log ${logId})`);
			}
			return node;
		}),
	);
	$("no-disagreements").hidden = items.length > 0;
}
