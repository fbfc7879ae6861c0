// What /insights asks of the Worker: the admin API's report for a period and a gateway log
// through the debug route, each with its token (public/js/http.js), and the words for a
// request that failed.

import { explainTokenFailure, getJson } from "../http.js";
import { DAY_MS } from "./format.js";

/**
 * The report of the last `days` days: the model and day statistics, the delivery health, the
 * 10 latest comments and the judge's 10 latest disagreements with people, with the period they
 * cover ({ stats, health, comments, disagreements, since, until }).
 */
export async function loadReport(adminToken, days) {
	const until = new Date();
	const since = new Date(until.getTime() - days * DAY_MS);
	const range = `since=${since.toISOString()}&until=${until.toISOString()}`;
	const [stats, { delivery }, { items }] = await Promise.all([
		getJson(`/api/admin/stats?${range}`, adminToken),
		getJson("/api/admin/health", adminToken),
		getJson(`/api/admin/feedback?hasComment=true&limit=10&${range}`, adminToken),
	]);
	// Asked only when the judge ran: the list walks the period's votes to find them.
	const disagreements =
		stats.judge.verdicts > 0
			? (await getJson(`/api/admin/feedback?judgeAgrees=false&limit=10&${range}`, adminToken)).items
			: [];
	return { stats, health: delivery, comments: items, disagreements, since, until };
}

/** Why the report did not load, in words. */
export const explainReportFailure = (error) =>
	explainTokenFailure(error, {
		token: "admin token",
		off: "The admin API is off here: set the ADMIN_TOKEN secret.",
		doing: "load the insights",
	});

/** An answer's gateway log, through GET /api/logs/:logId (DEBUG_TOKEN). */
export const fetchLog = (logId, debugToken) =>
	getJson(`/api/logs/${encodeURIComponent(logId)}`, debugToken);

/** Why the log did not open, in words. */
export const explainLogFailure = (error) =>
	explainTokenFailure(error, {
		token: "debug token",
		off: "The debug route is off here (DEBUG_TOKEN is not set).",
		doing: "open the log",
	});
