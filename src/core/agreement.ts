/**
 * How well a judge (an LLM that labels answers good or bad) agrees with people's thumbs:
 * Cohen's kappa with its 95% interval, the raw agreement, the confusion matrix, and the
 * precision and recall of the judge's "bad". Pure math; docs/verdicts.md shows by simulation
 * that the interval holds the true kappa 95% of the time.
 */

/**
 * Cohen's kappa of two raters from their square table of counts (`table[i][j]`: rater one
 * said category i and rater two category j), with its 95% interval from the large-sample
 * standard error of Fleiss, Cohen and Everitt (Psychol Bull 1969;72:323-327), the one SAS's
 * PROC FREQ reports: the variance of kappa where it is, not where kappa = 0. Null when there
 * is nothing to tell apart from chance (no pairs, or both raters always say the same one
 * category).
 */
export function cohensKappa(table: readonly (readonly number[])[], z = 1.96) {
	const size = table.length;
	const total = table.reduce((sum, row) => sum + row.reduce((s, count) => s + count, 0), 0);
	if (total === 0) return null;
	const p = (i: number, j: number) => (table[i]?.[j] ?? 0) / total;
	const row = Array.from({ length: size }, (_, i) => table[i]?.reduce((s, c) => s + c, 0) ?? 0);
	const column = Array.from({ length: size }, (_, j) =>
		table.reduce((sum, counts) => sum + (counts[j] ?? 0), 0),
	);
	const rowShare = row.map((count) => count / total);
	const columnShare = column.map((count) => count / total);
	let observed = 0;
	let chance = 0;
	for (let i = 0; i < size; i++) {
		observed += p(i, i);
		chance += (rowShare[i] ?? 0) * (columnShare[i] ?? 0);
	}
	if (chance >= 1) return null;
	const kappa = (observed - chance) / (1 - chance);
	// Fleiss, Cohen and Everitt: (A + B - C) / (n (1 - chance)²).
	let diagonal = 0;
	let offDiagonal = 0;
	for (let i = 0; i < size; i++) {
		for (let j = 0; j < size; j++) {
			if (i === j) {
				const margins = (rowShare[i] ?? 0) + (columnShare[i] ?? 0);
				diagonal += p(i, i) * (1 - margins * (1 - kappa)) ** 2;
			} else {
				offDiagonal += p(i, j) * ((columnShare[i] ?? 0) + (rowShare[j] ?? 0)) ** 2;
			}
		}
	}
	const variance =
		(diagonal + (1 - kappa) ** 2 * offDiagonal - (kappa - chance * (1 - kappa)) ** 2) /
		(total * (1 - chance) ** 2);
	const standardError = Math.sqrt(Math.max(0, variance));
	return {
		kappa,
		standardError,
		low: Math.max(-1, kappa - z * standardError),
		high: Math.min(1, kappa + z * standardError),
	};
}

/** The confusion matrix of a judge's labels against people's thumbs on the same answers. */
export interface JudgeVotes {
	judgeBadPeopleDown: number;
	judgeBadPeopleUp: number;
	judgeGoodPeopleDown: number;
	judgeGoodPeopleUp: number;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/**
 * How a judge's good/bad agrees with people's up/down on the answers both rated: the share
 * of answers where they agree, Cohen's kappa (agreement beyond chance) with its 95% interval,
 * and, people's thumbs down taken as the truth, the precision (of the answers the judge calls
 * bad, the share people voted down) and recall (of the answers people voted down, the share
 * the judge calls bad) of the judge's "bad". Null where a share has nothing to divide by.
 */
export function judgeAgreement(votes: JudgeVotes) {
	const { judgeBadPeopleDown, judgeBadPeopleUp, judgeGoodPeopleDown, judgeGoodPeopleUp } = votes;
	const total = judgeBadPeopleDown + judgeBadPeopleUp + judgeGoodPeopleDown + judgeGoodPeopleUp;
	const kappa = cohensKappa([
		[judgeBadPeopleDown, judgeBadPeopleUp],
		[judgeGoodPeopleDown, judgeGoodPeopleUp],
	]);
	return {
		confusion: { ...votes },
		total,
		agreement: share(judgeBadPeopleDown + judgeGoodPeopleUp, total),
		kappa: kappa?.kappa ?? null,
		kappaLow: kappa?.low ?? null,
		kappaHigh: kappa?.high ?? null,
		precisionBad: share(judgeBadPeopleDown, judgeBadPeopleDown + judgeBadPeopleUp),
		recallBad: share(judgeBadPeopleDown, judgeBadPeopleDown + judgeGoodPeopleDown),
	};
}
