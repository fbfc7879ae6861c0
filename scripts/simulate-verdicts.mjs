#!/usr/bin/env node
// `npm run simulate`: proves by simulation, with a seeded generator, that the verdict and
// agreement statistics of src/core/verdict.ts and src/core/agreement.ts keep their word, and
// writes the results into their block of docs/verdicts.md (between `<!-- simulation -->` and
// `<!-- /simulation -->`), dated, with the machine and the command:
//
// (a) a judge that agrees with people's thumbs 80% of the time: how often the 95% kappa
//     interval holds the true kappa (target 93 to 97%);
// (b) two models at 0.70 and 0.60 up, looked at after every vote: votes until the sequential
//     test's first verdict, and how often it is right;
// (c) two equal models at 0.65, looked at after every 50 votes up to 5,000: how often each
//     rule ever calls them different (target for the sequential test: at most 5%);
// (d) how τ, the mixing prior's spread, trades the votes needed against the difference.
//
// `--runs=N` (default 1000) runs per case, `--seed=N` (default 20261207), `--no-write`
// prints without writing the page.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { importTs } from "./import-ts.mjs";
import { root } from "./local-config.mjs";

const option = (name, fallback) => {
	const arg = process.argv.find((value) => value.startsWith(`--${name}=`));
	return arg ? Number(arg.slice(name.length + 3)) : fallback;
};
const RUNS = option("runs", 1000);
const SEED = option("seed", 20261207);
const write = !process.argv.includes("--no-write");
const TAU_RUNS = RUNS;

const { differenceInterval, sequentialVerdict, wilsonInterval, DEFAULT_TAU } =
	await importTs("src/core/verdict.ts");
const { cohensKappa, judgeAgreement } = await importTs("src/core/agreement.ts");

/** sfc32, seeded through splitmix32: a small, fast generator with a 128-bit state. */
function generator(seed) {
	let state = seed >>> 0;
	const splitmix = () => {
		state = (state + 0x9e3779b9) >>> 0;
		let z = state;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
		return (z ^ (z >>> 16)) >>> 0;
	};
	let a = splitmix();
	let b = splitmix();
	let c = splitmix();
	let d = splitmix();
	return () => {
		const t = (((a + b) | 0) + d) | 0;
		d = (d + 1) | 0;
		a = b ^ (b >>> 9);
		b = (c + (c << 3)) | 0;
		c = (c << 21) | (c >>> 11);
		c = (c + t) | 0;
		return (t >>> 0) / 4294967296;
	};
}

/** Each case its own stream, so changing one case leaves the others' draws alone. */
const streamFor = (name) => {
	let hash = SEED >>> 0;
	for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
	return generator(hash);
};

const quantile = (sorted, p) => {
	if (sorted.length === 0) return Number.NaN;
	const at = (sorted.length - 1) * p;
	const below = Math.floor(at);
	const above = Math.min(sorted.length - 1, below + 1);
	return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
};
const percent = (share, digits = 1) => `${(share * 100).toFixed(digits)}%`;
/** The Monte Carlo standard error of a share, in points. */
const shareError = (share, runs) =>
	`± ${(Math.sqrt((share * (1 - share)) / runs) * 100).toFixed(1)}`;
const thousands = (value) => Math.round(value).toLocaleString("en-US");

// --- (a) kappa's interval --------------------------------------------------------------

function kappaCoverage(VOTES) {
	const PEOPLE_UP = 0.7;
	const JUDGE_AGREES = 0.8;
	// The cells' true shares, and the kappa they make.
	const truth = [
		[(1 - PEOPLE_UP) * JUDGE_AGREES, PEOPLE_UP * (1 - JUDGE_AGREES)],
		[(1 - PEOPLE_UP) * (1 - JUDGE_AGREES), PEOPLE_UP * JUDGE_AGREES],
	];
	const trueKappa = cohensKappa(truth).kappa;
	const random = streamFor(`kappa ${VOTES}`);
	let covered = 0;
	let below = 0;
	let width = 0;
	let kappaSum = 0;
	let precision = 0;
	let recall = 0;
	for (let run = 0; run < RUNS; run++) {
		const votes = {
			judgeBadPeopleDown: 0,
			judgeBadPeopleUp: 0,
			judgeGoodPeopleDown: 0,
			judgeGoodPeopleUp: 0,
		};
		for (let i = 0; i < VOTES; i++) {
			const up = random() < PEOPLE_UP;
			const judgeGood = random() < JUDGE_AGREES ? up : !up;
			if (judgeGood) votes[up ? "judgeGoodPeopleUp" : "judgeGoodPeopleDown"]++;
			else votes[up ? "judgeBadPeopleUp" : "judgeBadPeopleDown"]++;
		}
		const result = judgeAgreement(votes);
		if (result.kappaLow <= trueKappa && trueKappa <= result.kappaHigh) covered++;
		else if (result.kappaHigh < trueKappa) below++;
		width += result.kappaHigh - result.kappaLow;
		kappaSum += result.kappa;
		precision += result.precisionBad;
		recall += result.recallBad;
	}
	return {
		votes: VOTES,
		peopleUp: PEOPLE_UP,
		judgeAgrees: JUDGE_AGREES,
		trueKappa,
		truePrecision: truth[0][0] / (truth[0][0] + truth[0][1]),
		trueRecall: truth[0][0] / (truth[0][0] + truth[1][0]),
		coverage: covered / RUNS,
		missedBelow: below / RUNS,
		missedAbove: (RUNS - covered - below) / RUNS,
		meanKappa: kappaSum / RUNS,
		meanWidth: width / RUNS,
		meanPrecision: precision / RUNS,
		meanRecall: recall / RUNS,
	};
}

// --- (b), (d) votes until the first verdict ------------------------------------------------

const MAX_VOTES = 200_000;

/** The look at which (b) records the test's own estimate of the votes still needed. */
const ESTIMATE_AT = 200;

/**
 * Votes (each to A or B at random, half and half) until the first verdict, looking at each;
 * with the total the test foresaw at ESTIMATE_AT votes (its votes still needed, for each model).
 */
function firstVerdict(random, aUp, bUp, tau) {
	const a = { up: 0, down: 0 };
	const b = { up: 0, down: 0 };
	let previous;
	let foreseen = null;
	for (let votes = 1; votes <= MAX_VOTES; votes++) {
		const model = random() < 0.5 ? a : b;
		if (random() < (model === a ? aUp : bUp)) model.up++;
		else model.down++;
		previous = sequentialVerdict(a, b, { tau, previous });
		if (votes === ESTIMATE_AT && previous.moreVotesEach !== null) {
			foreseen = votes + 2 * previous.moreVotesEach;
		}
		if (previous.decision !== "undecided") return { votes, decision: previous.decision, foreseen };
	}
	return { votes: MAX_VOTES, decision: "undecided", foreseen };
}

function timeToVerdict(aUp, bUp, tau, runs, name) {
	const random = streamFor(name);
	const votes = [];
	// Runs still undecided at ESTIMATE_AT votes: the total foreseen then, over the actual.
	const foreseenOverActual = [];
	let right = 0;
	let wrong = 0;
	for (let run = 0; run < runs; run++) {
		const result = firstVerdict(random, aUp, bUp, tau);
		votes.push(result.votes);
		if (result.foreseen !== null && result.votes > ESTIMATE_AT) {
			foreseenOverActual.push(result.foreseen / result.votes);
		}
		const better = aUp > bUp ? "a-better" : "b-better";
		if (result.decision === better) right++;
		else if (result.decision !== "undecided") wrong++;
	}
	votes.sort((x, y) => x - y);
	foreseenOverActual.sort((x, y) => x - y);
	return {
		runs,
		estimated: foreseenOverActual.length,
		estimateQ1: quantile(foreseenOverActual, 0.25),
		estimateMedian: quantile(foreseenOverActual, 0.5),
		estimateQ3: quantile(foreseenOverActual, 0.75),
		right: right / runs,
		wrong: wrong / runs,
		undecided: (runs - right - wrong) / runs,
		q1: quantile(votes, 0.25),
		median: quantile(votes, 0.5),
		q3: quantile(votes, 0.75),
		p90: quantile(votes, 0.9),
	};
}

// --- (c) two equal models, looked at every 50 votes ----------------------------------------

function peeking() {
	const RATE = 0.65;
	const EVERY = 50;
	const UP_TO = 5000;
	const random = streamFor("peeking");
	let sequential = 0;
	let everyVote = 0;
	let newcombe = 0;
	let overlap = 0;
	let overlapAtEnd = 0;
	for (let run = 0; run < RUNS; run++) {
		const a = { up: 0, down: 0 };
		const b = { up: 0, down: 0 };
		let previous;
		let previousEveryVote;
		let calledBySequential = false;
		let calledAtSomeVote = false;
		let calledByNewcombe = false;
		let calledByOverlap = false;
		for (let votes = 1; votes <= UP_TO; votes++) {
			const model = random() < 0.5 ? a : b;
			if (random() < RATE) model.up++;
			else model.down++;
			// The same test looked at after every vote, on the same votes.
			if (!calledAtSomeVote) {
				previousEveryVote = sequentialVerdict(a, b, { previous: previousEveryVote });
				if (previousEveryVote.decision !== "undecided") calledAtSomeVote = true;
			}
			if (votes % EVERY !== 0) continue;
			previous = sequentialVerdict(a, b, { previous });
			if (previous.decision !== "undecided") calledBySequential = true;
			// A fixed-sample test of the difference, peeked at: Newcombe's interval excludes 0.
			const difference = differenceInterval(a, b);
			if (difference && (difference.low > 0 || difference.high < 0)) calledByNewcombe = true;
			// The rule /insights uses today: the two 95% Wilson intervals do not overlap.
			const [aLow, aHigh] = wilsonInterval(a.up, a.up + a.down);
			const [bLow, bHigh] = wilsonInterval(b.up, b.up + b.down);
			const apart = aLow > bHigh || bLow > aHigh;
			if (apart) calledByOverlap = true;
			if (apart && votes === UP_TO) overlapAtEnd++;
		}
		if (calledBySequential) sequential++;
		if (calledAtSomeVote) everyVote++;
		if (calledByNewcombe) newcombe++;
		if (calledByOverlap) overlap++;
	}
	return {
		rate: RATE,
		every: EVERY,
		upTo: UP_TO,
		sequential: sequential / RUNS,
		everyVote: everyVote / RUNS,
		newcombe: newcombe / RUNS,
		overlap: overlap / RUNS,
		overlapAtEnd: overlapAtEnd / RUNS,
	};
}

// --- The page ------------------------------------------------------------------------

const started = performance.now();
const kappas = [kappaCoverage(2000), kappaCoverage(200)];
const [kappa] = kappas;
const race = timeToVerdict(0.7, 0.6, DEFAULT_TAU, RUNS, "race");
const peek = peeking();
const TAUS = [0.025, 0.05, 0.1, 0.2];
const DIFFERENCES = [0.05, 0.1, 0.2];
const tauTable = TAUS.map((tau) => ({
	tau,
	cells: DIFFERENCES.map((difference) =>
		timeToVerdict(0.6 + difference, 0.6, tau, TAU_RUNS, `tau ${tau} ${difference}`),
	),
}));
const seconds = (performance.now() - started) / 1000;

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const command = `npm run simulate${RUNS === 1000 ? "" : ` -- --runs=${RUNS}`}`;
const block = `<!-- simulation -->
Simulated ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} cores (${cpu}), Node ${process.version}, in ${seconds.toFixed(0)} s: \`${command}\` (scripts/simulate-verdicts.mjs, seed ${SEED}, ${thousands(RUNS)} runs a case; sfc32 generator). Each vote goes to model A or B at random, half and half. ± is the Monte Carlo standard error of a share, in points.

**(a) Kappa's 95% interval.** People vote up ${percent(kappa.peopleUp, 0)} of the time; the judge agrees with each vote with chance ${percent(kappa.judgeAgrees, 0)}, independently. True kappa ${kappa.trueKappa.toFixed(4)}; ${thousands(kappa.votes)} votes a run (and, to see the large-sample interval with few votes, ${thousands(kappas[1].votes)}).

| votes a run | runs | interval holds the true kappa | misses, interval below | misses, interval above | mean kappa | mean interval width | mean precision of "bad" (true) | mean recall of "bad" (true) |
|---|---|---|---|---|---|---|---|---|
${kappas.map((row, index) => `| ${thousands(row.votes)} | ${thousands(RUNS)} | ${index === 0 ? "**" : ""}${percent(row.coverage)}${index === 0 ? "**" : ""} ${shareError(row.coverage, RUNS)} | ${percent(row.missedBelow)} | ${percent(row.missedAbove)} | ${row.meanKappa.toFixed(4)} | ${row.meanWidth.toFixed(4)} | ${row.meanPrecision.toFixed(4)} (${row.truePrecision.toFixed(4)}) | ${row.meanRecall.toFixed(4)} (${row.trueRecall.toFixed(4)}) |`).join("\n")}

**(b) Votes until the first verdict.** Model A at 0.70 up, B at 0.60; the sequential test (τ = ${DEFAULT_TAU}, alpha = 0.05) looked at after every vote, stopped at its first verdict (at most ${thousands(MAX_VOTES)} votes).

| runs | votes to the verdict: first quartile | median | third quartile | 90th percentile | right (A better) | wrong (B better) | no verdict |
|---|---|---|---|---|---|---|---|
| ${thousands(RUNS)} | ${thousands(race.q1)} | **${thousands(race.median)}** | ${thousands(race.q3)} | ${thousands(race.p90)} | **${percent(race.right)}** | ${percent(race.wrong)} | ${percent(race.undecided)} |

The votes still needed, as the test estimates them at ${ESTIMATE_AT} votes (runs undecided then: ${thousands(race.estimated)}): the total they foresee over the votes the verdict actually took, quartiles ${race.estimateQ1.toFixed(2)}, **${race.estimateMedian.toFixed(2)}** (median), ${race.estimateQ3.toFixed(2)}.

**(c) Two equal models, looked at every ${peek.every} votes.** Both at ${peek.rate} up, ${thousands(peek.upTo / peek.every)} looks up to ${thousands(peek.upTo)} votes; a run counts if the rule ever calls them different.

| runs | sequential test (alpha = 0.05) | sequential test, looked at after every vote | intervals do not overlap (/insights' old rule) | intervals do not overlap, one look at ${thousands(peek.upTo)} votes | Newcombe's 95% interval excludes 0 (a one-look test, peeked at) |
|---|---|---|---|---|---|
| ${thousands(RUNS)} | **${percent(peek.sequential)}** ${shareError(peek.sequential, RUNS)} | ${percent(peek.everyVote)} ${shareError(peek.everyVote, RUNS)} | **${percent(peek.overlap)}** ${shareError(peek.overlap, RUNS)} | ${percent(peek.overlapAtEnd)} | ${percent(peek.newcombe)} ${shareError(peek.newcombe, RUNS)} |

**(d) τ against the difference.** Median votes to the first verdict (and the share of runs whose verdict is right) for B at 0.60 and A at 0.60 plus the difference, looked at after every vote; ${thousands(TAU_RUNS)} runs a cell.

| τ | ${DIFFERENCES.map((difference) => `difference ${difference}`).join(" | ")} |
|---|${DIFFERENCES.map(() => "---").join("|")}|
${tauTable.map(({ tau, cells }) => `| ${tau}${tau === DEFAULT_TAU ? " (default)" : ""} | ${cells.map((cell) => `${thousands(cell.median)} (${percent(cell.right, 0)})`).join(" | ")} |`).join("\n")}
<!-- /simulation -->`;

console.log(block);
if (write) {
	const page = resolve(root, "docs/verdicts.md");
	const text = readFileSync(page, "utf8");
	const markers = /<!-- simulation -->[\s\S]*?<!-- \/simulation -->/;
	if (!markers.test(text)) throw new Error("docs/verdicts.md has no <!-- simulation --> block");
	writeFileSync(
		page,
		text.replace(markers, () => block),
	);
	console.log(`\nwrote ${page} in ${seconds.toFixed(0)} s`);
}
