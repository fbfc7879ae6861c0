/** scripts/bench-phases.mjs: which phase a CPU profile sample goes to, and its doc block. */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Attributed {
	phases: Record<string, number>;
	emulation: Record<string, { ms: number; sampled: boolean }>;
	top: { key: string; phase: string; ms: number }[];
}
interface BenchPhases {
	attribute: (input: {
		profiles: { group: string; id: string; profile: unknown }[];
		bundle: string;
	}) => Attributed;
	replacePhasesBlock: (text: string, block: string) => string;
	SAMPLING_INTERVAL_US: number;
}

// A path held in a variable: the script is plain JavaScript, typed by the interface above.
const scriptPath = resolve(import.meta.dirname, "../../scripts/bench-phases.mjs");
const { attribute, replacePhasesBlock, SAMPLING_INTERVAL_US } = (await import(
	scriptPath
)) as BenchPhases;

// An unminified esbuild bundle: each module opens with its path, relative to the config's folder.
const bundle = [
	"// ../../node_modules/hono/dist/hono-base.js", // line 0
	"function dispatch() {}",
	"// ../../src/http/rate-limit.ts", // line 2
	"async function rateLimit() {}",
	"// ../../node_modules/valibot/dist/index.mjs", // line 4
	"function run() {}",
	"// ../../src/answers/answer-queue.ts", // line 6
	"async function writeAnswerBatch() {}",
	"// ../../src/api/chat/route.ts", // line 8
	"function chatRoute() {}",
].join("\n");

const frame = (functionName: string, url: string, lineNumber = 0) => ({
	functionName,
	url,
	lineNumber,
});

/** A profile whose nodes are given as [id, frame, parent id]; one sample per listed node id. */
function profile(nodes: [number, Node["callFrame"], number | null][], samples: number[]) {
	const built: Node[] = nodes.map(([id, callFrame]) => ({ id, callFrame, children: [] }));
	for (const [id, , parent] of nodes) {
		if (parent !== null) built.find((node) => node.id === parent)?.children?.push(id);
	}
	return {
		nodes: built,
		samples,
		timeDeltas: samples.map(() => SAMPLING_INTERVAL_US),
		startTime: 0,
		endTime: samples.length * SAMPLING_INTERVAL_US,
	};
}

const appOnly = (appProfile: unknown) =>
	attribute({ profiles: [{ group: "app", id: "core:user:app", profile: appProfile }], bundle });

describe("scripts/bench-phases.mjs", () => {
	it("gives a runtime built-in the phase of the nearest caller in a known file", () => {
		const { phases } = appOnly(
			profile(
				[
					[1, frame("(root)", ""), null],
					[2, frame("dispatch", "index.js", 1), 1],
					[3, frame("rateLimit", "index.js", 3), 2],
					[4, frame("fetch", ""), 3],
				],
				[4, 4, 3, 2],
			),
		);
		const ms = SAMPLING_INTERVAL_US / 1000;
		expect(phases["rate-limit"]).toBeCloseTo(3 * ms);
		expect(phases.routing).toBeCloseTo(ms);
	});

	it("counts valibot as validation in a request, and as the consumer's work under the queue consumer", () => {
		const { phases } = appOnly(
			profile(
				[
					[1, frame("(root)", ""), null],
					[2, frame("chatRoute", "index.js", 9), 1],
					[3, frame("run", "index.js", 5), 2],
					[4, frame("writeAnswerBatch", "index.js", 7), 1],
					[5, frame("run", "index.js", 5), 4],
				],
				[3, 5, 5],
			),
		);
		const ms = SAMPLING_INTERVAL_US / 1000;
		expect(phases.validation).toBeCloseTo(ms);
		expect(phases.consumer).toBeCloseTo(2 * ms);
	});

	it("gives the binding clients the runtime brings their phase when they resume with no caller", () => {
		const { phases } = appOnly(
			profile(
				[
					[1, frame("(root)", ""), null],
					[2, frame("limit", "cloudflare-internal:ratelimit:module"), 1],
					[3, frame("#generateFetch", "cloudflare-internal:ai-api"), 1],
					[4, frame("(anonymous)", ""), 1],
					[5, frame("(garbage collector)", ""), 1],
				],
				[2, 3, 4, 5],
			),
		);
		const ms = SAMPLING_INTERVAL_US / 1000;
		expect(phases).toMatchObject({ "rate-limit": ms, binding: ms, runtime: ms, gc: ms });
	});

	it("counts a gap between two samples as one interval: the isolate was not running", () => {
		const gapped = profile(
			[
				[1, frame("(root)", ""), null],
				[2, frame("dispatch", "index.js", 1), 1],
			],
			[2, 2],
		);
		gapped.timeDeltas = [SAMPLING_INTERVAL_US, 50 * SAMPLING_INTERVAL_US];
		expect(appOnly(gapped).phases.routing).toBeCloseTo((2 * SAMPLING_INTERVAL_US) / 1000);
	});

	it("sums each emulation isolate apart from the app, and says which were not sampled", () => {
		const limiter = profile(
			[
				[1, frame("limit", "ratelimit.worker.js")],
				[2, frame("(program)", "")],
			].map(([id, callFrame]) => [id as number, callFrame as Node["callFrame"], null]),
			[1, 1, 2],
		);
		const { emulation } = attribute({
			profiles: [
				{
					group: "app",
					id: "core:user:app",
					profile: profile([[1, frame("(root)", ""), null]], []),
				},
				{ group: "limiter", id: "ratelimit:ns", profile: limiter },
			],
			bundle,
		});
		expect(emulation.limiter).toMatchObject({
			ms: (2 * SAMPLING_INTERVAL_US) / 1000,
			sampled: true,
		});
		expect(emulation.d1).toMatchObject({ ms: 0, sampled: false });
	});

	it("replaces its marked block of the page, or appends one", () => {
		const block = "<!-- bench:phases -->\nnew\n<!-- /bench:phases -->";
		const page = "# Benchmarks\n\n<!-- bench:phases -->\nold\n<!-- /bench:phases -->\n\nafter\n";
		expect(replacePhasesBlock(page, block)).toBe(`# Benchmarks\n\n${block}\n\nafter\n`);
		expect(replacePhasesBlock("# Benchmarks\n", block)).toBe(`# Benchmarks\n\n${block}\n`);
	});
});
