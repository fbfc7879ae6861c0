// The chat page's vote outbox and sender (public/js/feedback-outbox.js), run as the
// browser runs them, over an in-memory storage, a scripted API and timers the test fires.
import { describe, expect, it } from "vitest";
import {
	FeedbackOutbox,
	FeedbackSenders,
	OUTBOX_KEY,
	type OutboxEntry,
	type Timers,
	VoteSender,
	type VoteState,
} from "../../public/js/feedback-outbox.js";

const LOG = "019a8f3e-0000-7000-8000-000000000001";
const OTHER_LOG = "019a8f3e-0000-7000-8000-000000000002";
const TOKEN = "v1.key.1800000000.signature";

/** localStorage in memory. */
class MemoryStorage {
	readonly items = new Map<string, string>();
	getItem(key: string) {
		return this.items.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		this.items.set(key, value);
	}
	/** The outbox as stored, parsed: what a reloaded page would find. */
	outbox(): Record<string, OutboxEntry> {
		return JSON.parse(this.items.get(OUTBOX_KEY) ?? "{}");
	}
}

/** Timers that fire only when the test fires them. */
class ManualTimers implements Timers {
	readonly requested: number[] = [];
	readonly waiting = new Set<{ callback: () => void; ms: number }>();
	set(callback: () => void, ms: number) {
		const timer = { callback, ms };
		this.requested.push(ms);
		this.waiting.add(timer);
		return timer;
	}
	clear(timer: unknown) {
		this.waiting.delete(timer as { callback: () => void; ms: number });
	}
	/** Fires the one waiting timer. */
	fire() {
		expect(this.waiting.size).toBe(1);
		const [timer] = this.waiting;
		this.waiting.delete(timer as { callback: () => void; ms: number });
		timer?.callback();
	}
}

type PostReply = number | "network" | Promise<Response>;
type Delivery = { state: string; feedback?: string; error?: string } | number;

/**
 * POST /api/feedback and GET /api/feedback/:logId, scripted: each POST takes the next
 * reply in `postReplies` (202 when none is left), each poll the next of `deliveries`
 * (when none is left: delivered, with the vote last accepted on that log).
 */
function fakeApi() {
	const api = {
		posts: [] as Array<Record<string, unknown>>,
		polls: [] as Array<{ url: string; authorization: string | null }>,
		postReplies: [] as PostReply[],
		deliveries: [] as Delivery[],
		accepted: new Map<string, unknown>(),
		fetch: async (input: string, init?: RequestInit): Promise<Response> => {
			if (init?.method === "POST") {
				expect(input).toBe("/api/feedback");
				const body = JSON.parse(String(init.body));
				api.posts.push(body);
				const reply = api.postReplies.shift() ?? 202;
				if (reply === "network") throw new TypeError("Failed to fetch");
				const res = typeof reply === "number" ? statusResponse(reply) : await reply;
				if (res.status === 202) api.accepted.set(body.aiGatewayLogId, body.feedback);
				return res;
			}
			api.polls.push({
				url: input,
				authorization: new Headers(init?.headers).get("authorization"),
			});
			const aiGatewayLogId = decodeURIComponent(input.slice("/api/feedback/".length));
			const delivery = api.deliveries.shift() ?? {
				state: "delivered",
				feedback: api.accepted.get(aiGatewayLogId),
			};
			return typeof delivery === "number" ? statusResponse(delivery) : Response.json(delivery);
		},
	};
	return api;
}

function statusResponse(status: number) {
	if (status === 202) return Response.json({ accepted: true }, { status });
	return Response.json({ error: { code: "test", message: `Refused with ${status}` } }, { status });
}

/** Lets the sender run until it waits on a timer or a reply the test holds back. */
async function settle() {
	for (let i = 0; i < 20; i++) await new Promise((done) => setTimeout(done, 0));
}

/** The range GET /api/models serves (src/core/votes.ts). */
const SCORE_RANGE = { min: 0, max: 100 };

function setup({
	now = () => 1_000,
	scoreRange = () => SCORE_RANGE,
}: {
	now?: () => number;
	scoreRange?: () => { min: number; max: number } | undefined;
} = {}) {
	const storage = new MemoryStorage();
	const outbox = new FeedbackOutbox(storage);
	const api = fakeApi();
	const timers = new ManualTimers();
	const states: Array<[VoteState, string]> = [];
	const sender = new VoteSender(LOG, TOKEN, { outbox, fetch: api.fetch, timers, now, scoreRange });
	sender.attach((state, text) => states.push([state, text]));
	const lastState = () => states.at(-1);
	return { storage, outbox, api, timers, states, sender, lastState };
}

const entry = (vote: OutboxEntry["vote"], sequence: number, aiGatewayLogId = LOG): OutboxEntry => ({
	aiGatewayLogId,
	token: TOKEN,
	vote,
	comment: "",
	sequence,
});

describe("FeedbackOutbox", () => {
	it("persists a queued vote in storage, where a new outbox reads it back", () => {
		const storage = new MemoryStorage();
		new FeedbackOutbox(storage).put({ ...entry("up", 5), comment: "good" });
		expect(storage.outbox()).toEqual({ [LOG]: { ...entry("up", 5), comment: "good" } });
		expect(new FeedbackOutbox(storage).read()).toEqual(storage.outbox());
	});

	it("keeps only the newest vote per log, and removing an older vote leaves the newer", () => {
		const storage = new MemoryStorage();
		const outbox = new FeedbackOutbox(storage);
		outbox.put(entry("up", 1));
		outbox.put(entry("down", 2, OTHER_LOG));
		outbox.put(entry("down", 3));
		expect(storage.outbox()).toEqual({
			[LOG]: entry("down", 3),
			[OTHER_LOG]: entry("down", 2, OTHER_LOG),
		});

		outbox.remove(entry("up", 1));
		expect(storage.outbox()[LOG]).toEqual(entry("down", 3));
		outbox.remove(entry("down", 3));
		expect(storage.outbox()).toEqual({ [OTHER_LOG]: entry("down", 2, OTHER_LOG) });
	});

	it("reads a missing or corrupt outbox as empty, and a corrupt one is replaced on the next vote", () => {
		const storage = new MemoryStorage();
		const outbox = new FeedbackOutbox(storage);
		expect(outbox.read()).toEqual({});
		storage.setItem(OUTBOX_KEY, "{not json");
		expect(outbox.read()).toEqual({});
		outbox.put(entry("up", 1));
		expect(storage.outbox()).toEqual({ [LOG]: entry("up", 1) });
	});
});

describe("VoteSender", () => {
	it("queues the vote in the outbox before the API has answered", async () => {
		const { storage, api, sender, lastState } = setup();
		const held = Promise.withResolvers<Response>();
		api.postReplies.push(held.promise);
		void sender.cast("down", "too long");
		expect(storage.outbox()).toEqual({
			[LOG]: {
				aiGatewayLogId: LOG,
				token: TOKEN,
				vote: "down",
				comment: "too long",
				sequence: 1_000,
			},
		});
		await settle();
		expect(api.posts).toEqual([
			{ aiGatewayLogId: LOG, token: TOKEN, feedback: "down", sequence: 1_000, comment: "too long" },
		]);
		expect(lastState()).toEqual(["sending", "Sending…"]);
		expect(storage.outbox()[LOG]?.vote).toBe("down");
		held.resolve(statusResponse(503));
	});

	it("once accepted, removes the vote from the outbox and reports it recorded when the gateway has it", async () => {
		const { storage, api, timers, states, sender } = setup();
		api.deliveries.push({ state: "pending" }, 404, { state: "delivered", feedback: "up" });
		const done = sender.cast("up");
		await settle();
		expect(api.posts).toEqual([
			{ aiGatewayLogId: LOG, token: TOKEN, feedback: "up", sequence: 1_000 },
		]);
		expect(storage.outbox()).toEqual({});
		expect(states.at(-1)).toEqual(["sending", "Accepted, delivering to the gateway…"]);
		// Polls back off: 250 ms, then 500 ms.
		timers.fire();
		await settle();
		timers.fire();
		await done;
		expect(timers.requested).toEqual([250, 500]);
		expect(api.polls).toEqual(
			Array(3).fill({ url: `/api/feedback/${LOG}`, authorization: `Bearer ${TOKEN}` }),
		);
		expect(states).toEqual([
			["sending", "Sending…"],
			["sending", "Accepted, delivering to the gateway…"],
			["recorded", "Recorded: good answer"],
		]);
	});

	it("reports a vote the server found older than the one it kept, with the kept vote", async () => {
		const { storage, api, sender } = setup();
		const kept: Array<[VoteState, string, string | undefined]> = [];
		sender.attach((state, text, vote) => kept.push([state, text, vote]));
		api.postReplies.push(
			Promise.resolve(
				Response.json({ status: "superseded", vote: { feedback: "down", state: "delivered" } }),
			),
		);
		await sender.cast("up");
		expect(storage.outbox()).toEqual({});
		expect(api.polls).toEqual([]);
		expect(kept.at(-1)).toEqual(["superseded", "A newer vote was kept: bad answer", "down"]);
	});

	it("labels a withdrawn vote, and reports a delivery the gateway gave up on as failed", async () => {
		const withdrawn = setup();
		await withdrawn.sender.cast("clear");
		expect(withdrawn.lastState()).toEqual(["recorded", "Vote withdrawn"]);

		const givenUp = setup();
		givenUp.api.deliveries.push({ state: "failed", error: "gateway said no" });
		await givenUp.sender.cast("down");
		expect(givenUp.lastState()).toEqual(["failed", "Failed: gateway said no."]);
		expect(givenUp.storage.outbox()).toEqual({});
	});

	it.each([
		[503, "Refused with 503"],
		[429, "Refused with 429"],
		["network", "offline"],
	] as const)("keeps the vote in the outbox and retries it after %s", async (failure, reason) => {
		const { storage, api, timers, sender, lastState } = setup();
		api.postReplies.push(failure, failure);
		const done = sender.cast("up", "fine");
		await settle();
		expect(lastState()).toEqual(["retrying", `Not sent (${reason}), retrying in 1 s…`]);
		expect(storage.outbox()).toEqual({ [LOG]: { ...entry("up", 1_000), comment: "fine" } });
		expect(timers.requested).toEqual([1_000]);

		timers.fire();
		await settle();
		expect(lastState()).toEqual(["retrying", `Not sent (${reason}), retrying in 2 s…`]);
		expect(storage.outbox()[LOG]?.vote).toBe("up");

		timers.fire();
		await done;
		expect(api.posts).toHaveLength(3);
		expect(new Set(api.posts.map((post) => JSON.stringify(post))).size).toBe(1);
		expect(storage.outbox()).toEqual({});
		expect(lastState()).toEqual(["recorded", "Recorded: good answer"]);
	});

	it("backs off 1, 2, 4, 8, 16, then every 30 seconds", async () => {
		const { api, timers, sender } = setup();
		api.postReplies.push(...Array<PostReply>(8).fill(503));
		const done = sender.cast("up");
		for (let i = 0; i < 8; i++) {
			await settle();
			timers.fire();
		}
		await done;
		expect(timers.requested.slice(0, 8)).toEqual(
			[1, 2, 4, 8, 16, 30, 30, 30].map((s) => s * 1_000),
		);
		expect(api.posts).toHaveLength(9);
	});

	it.each([
		[403, "Failed: Refused with 403."],
		[400, "Failed: Refused with 400."],
	])("drops a vote the API refuses with %i and reports it failed", async (status, text) => {
		const { storage, api, timers, states, sender } = setup();
		api.postReplies.push(status);
		await sender.cast("down");
		expect(storage.outbox()).toEqual({});
		expect(states).toEqual([
			["sending", "Sending…"],
			["failed", text],
		]);
		expect(api.posts).toHaveLength(1);
		expect(api.polls).toEqual([]);
		expect(timers.requested).toEqual([]);
	});

	it("reports the status when a refusal has no JSON body", async () => {
		const { api, sender, lastState } = setup();
		api.postReplies.push(Promise.resolve(new Response("Forbidden", { status: 403 })));
		await sender.cast("down");
		expect(lastState()).toEqual(["failed", "Failed: HTTP 403."]);
	});

	it("sends a newer vote cast while an older one is in flight, and keeps it in the outbox until then", async () => {
		const { storage, api, sender, lastState } = setup();
		const held = Promise.withResolvers<Response>();
		api.postReplies.push(held.promise);
		const done = sender.cast("up");
		await settle();
		void sender.cast("down");
		expect(storage.outbox()).toEqual({ [LOG]: entry("down", 1_001) });

		// The older vote's acceptance must not take the newer one out of the outbox.
		held.resolve(statusResponse(202));
		await settle();
		expect(api.posts.map((post) => [post.feedback, post.sequence])).toEqual([
			["up", 1_000],
			["down", 1_001],
		]);
		await done;
		expect(storage.outbox()).toEqual({});
		expect(lastState()).toEqual(["recorded", "Recorded: bad answer"]);
	});

	it("sends a newer vote at once instead of waiting out the retry delay", async () => {
		const { storage, api, timers, sender, lastState } = setup();
		api.postReplies.push(503, 503);
		const done = sender.cast("up");
		await settle();
		expect(timers.waiting.size).toBe(1);
		void sender.cast("down");
		await settle();
		// The wait was cut short; the backoff carries on where it was.
		expect(api.posts.map((post) => post.feedback)).toEqual(["up", "down"]);
		expect(timers.requested).toEqual([1_000, 2_000]);
		expect(lastState()).toEqual(["retrying", "Not sent (Refused with 503), retrying in 2 s…"]);
		expect(timers.waiting.size).toBe(1);
		expect(storage.outbox()[LOG]?.vote).toBe("down");
		timers.fire();
		await done;
		expect(lastState()).toEqual(["recorded", "Recorded: bad answer"]);
		expect(storage.outbox()).toEqual({});
	});

	it("keeps following delivery while the gateway still has an older vote", async () => {
		const { api, timers, sender, lastState } = setup();
		api.deliveries.push({ state: "delivered", feedback: "down" });
		const done = sender.cast("up");
		await settle();
		expect(lastState()).toEqual(["sending", "Accepted, delivering to the gateway…"]);
		timers.fire();
		await done;
		expect(lastState()).toEqual(["recorded", "Recorded: good answer"]);
	});

	it("numbers votes with increasing sequences, even when the clock stands still or goes back", async () => {
		let clock = 5_000;
		const { api, storage, sender } = setup({ now: () => clock });
		await sender.cast("up");
		await sender.cast("down");
		clock = 4_000;
		await sender.cast("clear");
		clock = 9_000;
		await sender.cast("up");
		expect(api.posts.map((post) => post.sequence)).toEqual([5_000, 5_001, 5_002, 9_000]);

		// A vote replayed from the outbox keeps its sequence, and later votes go above it.
		const held = Promise.withResolvers<Response>();
		api.postReplies.push(held.promise);
		void sender.cast("down", "", 20_000);
		expect(storage.outbox()[LOG]?.sequence).toBe(20_000);
		void sender.cast("up");
		expect(storage.outbox()[LOG]?.sequence).toBe(20_001);
		held.resolve(statusResponse(202));
		await settle();
		expect(api.posts.map((post) => post.sequence).slice(-2)).toEqual([20_000, 20_001]);
	});
});

describe("VoteSender and the score", () => {
	it("sends a whole score from 0 to 100 with the vote, and none with a withdrawal", async () => {
		const { api, sender } = setup();
		await sender.cast("up", "", undefined, 0);
		await sender.cast("down", "", undefined, 100);
		await sender.cast("clear", "", undefined, 50);
		expect(api.posts.map((post) => post.score)).toEqual([0, 100, undefined]);
	});

	it.each([-5, 101, 2.5, Number.NaN])(
		"refuses the score %s: nothing queued, nothing sent",
		async (score) => {
			const { api, storage, sender, states } = setup();
			expect(() => sender.cast("up", "with a bad score", undefined, score)).toThrow(RangeError);
			await settle();
			expect(storage.outbox()).toEqual({});
			expect(api.posts).toEqual([]);
			expect(states).toEqual([]);
		},
	);

	it("checks the score against the range it is given, and only for a whole number without one", async () => {
		const ranged = setup({ scoreRange: () => ({ min: 1, max: 5 }) });
		expect(() => ranged.sender.cast("up", "", undefined, 6)).toThrow(/from 1 to 5, not 6/);
		await ranged.sender.cast("up", "", undefined, 5);
		expect(ranged.api.posts.map((post) => post.score)).toEqual([5]);

		const unknown = setup({ scoreRange: () => undefined });
		expect(() => unknown.sender.cast("up", "", undefined, 2.5)).toThrow(RangeError);
		await unknown.sender.cast("up", "", undefined, 500);
		expect(unknown.api.posts.map((post) => post.score)).toEqual([500]);
	});
});

describe("FeedbackSenders", () => {
	it("has one sender per log, and a new listener replaces the old one", async () => {
		const storage = new MemoryStorage();
		const api = fakeApi();
		const senders = new FeedbackSenders({ outbox: new FeedbackOutbox(storage), fetch: api.fetch });
		const first: string[] = [];
		const second: string[] = [];
		const sender = senders.senderFor(LOG, TOKEN, (state) => first.push(state));
		expect(senders.senderFor(LOG, "another token", (state) => second.push(state))).toBe(sender);
		expect(senders.senderFor(OTHER_LOG, TOKEN)).not.toBe(sender);
		await sender.cast("up");
		expect(first).toEqual([]);
		expect(second.at(-1)).toBe("recorded");
		expect(api.posts[0]?.token).toBe(TOKEN);
	});

	it("sends, after a reload, the votes an earlier page left in the outbox", async () => {
		const storage = new MemoryStorage();
		const offline = fakeApi();
		offline.postReplies.push("network", "network");
		const before = new FeedbackSenders({
			outbox: new FeedbackOutbox(storage),
			fetch: offline.fetch,
			timers: new ManualTimers(),
			now: () => 7_000,
		});
		void before.senderFor(LOG, TOKEN).cast("down", "wrong");
		void before.senderFor(OTHER_LOG, TOKEN).cast("up");
		await settle();
		expect(Object.keys(storage.outbox()).sort()).toEqual([LOG, OTHER_LOG]);

		// The page reloads: a new outbox and new senders over the same storage.
		const api = fakeApi();
		const states: string[] = [];
		const after = new FeedbackSenders({
			outbox: new FeedbackOutbox(storage),
			fetch: api.fetch,
			timers: new ManualTimers(),
			now: () => 1,
		});
		after.senderFor(LOG, TOKEN, (_, text) => states.push(text));
		await after.flush();
		expect(api.posts).toEqual([
			{ aiGatewayLogId: LOG, token: TOKEN, feedback: "down", sequence: 7_000, comment: "wrong" },
			{ aiGatewayLogId: OTHER_LOG, token: TOKEN, feedback: "up", sequence: 7_000 },
		]);
		expect(storage.outbox()).toEqual({});
		expect(states.at(-1)).toBe("Recorded: bad answer");
		// A vote cast after the reload still goes above the replayed one.
		await after.senderFor(LOG, TOKEN).cast("up");
		expect(api.posts.at(-1)?.sequence).toBe(7_001);
	});

	it("sends nothing when the outbox is empty", async () => {
		const api = fakeApi();
		const senders = new FeedbackSenders({
			outbox: new FeedbackOutbox(new MemoryStorage()),
			fetch: api.fetch,
		});
		await senders.flush();
		expect(api.posts).toEqual([]);
	});
});

describe("corrections", () => {
	it("sends a thumbs-down's correction with the vote, keeps it in the outbox, and never sends one with another vote", async () => {
		const { storage, api, sender } = setup();
		const held = Promise.withResolvers<Response>();
		api.postReplies.push(held.promise);
		void sender.cast("down", "wrong", undefined, undefined, "The right answer");
		expect(storage.outbox()[LOG]?.correction).toBe("The right answer");
		await settle();
		expect(api.posts.at(-1)).toEqual({
			aiGatewayLogId: LOG,
			token: TOKEN,
			feedback: "down",
			sequence: 1_000,
			comment: "wrong",
			correction: "The right answer",
		});
		held.resolve(statusResponse(202));
		await settle();
		for (const vote of ["up", "clear"] as const) {
			await sender.cast(vote, "", undefined, undefined, "The right answer");
			expect(api.posts.at(-1)).not.toHaveProperty("correction");
		}
	});

	it("replays a correction left in the outbox by an earlier visit", async () => {
		const storage = new MemoryStorage();
		const outbox = new FeedbackOutbox(storage);
		outbox.put({ ...entry("down", 7), correction: "Better" });
		const api = fakeApi();
		await new FeedbackSenders({ outbox, fetch: api.fetch, timers: new ManualTimers() }).flush();
		expect(api.posts).toEqual([
			{ aiGatewayLogId: LOG, token: TOKEN, feedback: "down", sequence: 7, correction: "Better" },
		]);
	});
});
