/**
 * The admin API over the feedback store: access, the list with its cursors, the export,
 * stats, and their reads through D1 sessions (read replicas).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../src/core/time";
import { wilsonInterval } from "../../../src/core/verdict";
import { LATENCY_RELATIVE_ERROR } from "../../../src/store/rollups";
import {
	type ChatJson,
	createHarness,
	createSharedHarness,
	type ErrorJson,
	VALIBOT_DEFAULT_WORDING,
} from "../../harness";
import { type SeedAnswer, seed, TEST_ADMIN_TOKEN, testModel, voteRow } from "../../store/helpers";

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

interface Item {
	aiGatewayLogId: string;
	createdAt: string;
	model: string;
	vote: string;
	score: number | null;
	comment: string | null;
	state: string;
	refused: boolean;
}

function admin(overrides: Partial<Cloudflare.Env> = {}) {
	const harness = createHarness({}, overrides);
	const get = (path: string, headers: Record<string, string> = auth) =>
		harness.call(`/api/admin${path}`, { headers });
	const json = async <T>(path: string) => {
		const res = await get(path);
		expect(res.status, await res.clone().text()).toBe(200);
		return (await res.json()) as T;
	};
	return { get, json };
}

/** `count` voted answers of one model, a second apart, newest last. */
function answers(
	model: string,
	count: number,
	start: number,
	extra: (i: number) => Partial<SeedAnswer> = () => ({}),
) {
	return Array.from({ length: count }, (_, i) => ({
		id: `${model.slice(6)}-${String(i).padStart(4, "0")}`,
		model,
		createdAt: start + i * 1000,
		totalMs: 100 + i,
		vote: (["up", "down", "clear"] as const)[i % 3],
		...extra(i),
	}));
}

/** A latency from the stats within their stated relative error of the exact one (then rounded). */
function expectNear(received: unknown, exact: number) {
	expect(typeof received, String(received)).toBe("number");
	const error = Math.abs((received as number) - exact);
	expect(error, `${received} for ${exact}`).toBeLessThanOrEqual(
		LATENCY_RELATIVE_ERROR * exact + 0.5,
	);
}

/** The body as UTF-8 text (Response.text() warns about content types it does not know). */
const text = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(csv: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = "";
	let quoted = false;
	for (let i = 0; i < csv.length; i++) {
		const char = csv[i];
		if (quoted) {
			if (char === '"' && csv[i + 1] === '"') {
				field += '"';
				i++;
			} else if (char === '"') quoted = false;
			else field += char;
		} else if (char === '"') quoted = true;
		else if (char === ",") {
			record.push(field);
			field = "";
		} else if (char === "\r" && csv[i + 1] === "\n") {
			record.push(field);
			records.push(record);
			record = [];
			field = "";
			i++;
		} else field += char;
	}
	if (field || record.length) records.push([...record, field]);
	return records;
}

/** CSV records as objects keyed by the header row. */
function csvObjects(csv: string): Record<string, string>[] {
	const [header = [], ...rows] = parseCsv(csv);
	return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""])));
}

const query = (params: Record<string, string | number | boolean | undefined>) =>
	new URLSearchParams(
		Object.entries(params).flatMap(([key, value]) =>
			value === undefined ? [] : [[key, String(value)]],
		),
	).toString();

describe("admin access", () => {
	it("does not exist while ADMIN_TOKEN is unset, like the debug routes", async () => {
		const { get } = admin({ ADMIN_TOKEN: "" });
		for (const path of ["/feedback", "/feedback/export", "/stats", "/health"]) {
			const res = await get(path);
			expect(res.status).toBe(404);
			expect(((await res.json()) as ErrorJson).error.code).toBe("not_found");
		}
	});

	it("wants the ADMIN_TOKEN as bearer token: not the debug token, not none", async () => {
		const { get } = admin();
		const wrong: Record<string, string>[] = [
			{},
			{ authorization: "Bearer test-debug-token-0123456789abcdefghij" },
		];
		for (const headers of wrong) {
			const res = await get("/feedback", headers);
			expect(res.status).toBe(401);
			expect(res.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
			expect(((await res.json()) as ErrorJson).error.code).toBe("unauthorized");
		}
		const ok = await get("/health");
		expect(ok.status).toBe(200);
		expect(ok.headers.get("cache-control")).toBe("no-store");
	});
});

describe("GET /api/admin/feedback", () => {
	it("lists newest first, in pages whose cursors walk the whole list exactly once", async () => {
		const model = testModel();
		const start = Date.now() - DAY_MS;
		// Two rows share a creation time: the log id breaks the tie.
		const rows = answers(model, 7, start, (i) =>
			i === 4 ? { votedAt: start + 3 * 1000 + 1000 } : {},
		);
		await seed(rows);
		const { json } = admin();
		const seen: Item[] = [];
		let cursor: string | undefined;
		let pages = 0;
		do {
			const page = await json<{ items: Item[]; nextCursor: string | null }>(
				`/feedback?${query({ model, limit: 3, cursor })}`,
			);
			seen.push(...page.items);
			cursor = page.nextCursor ?? undefined;
			pages++;
		} while (cursor);
		expect(pages).toBe(3);
		const expected = [...rows]
			.map((row) => ({ id: row.id, at: row.votedAt ?? row.createdAt + 1000 }))
			.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
			.map((row) => row.id);
		expect(seen.map((item) => item.aiGatewayLogId)).toEqual(expected);
		expect(seen[0]).toMatchObject({
			model,
			requestedModel: model,
			provider: "workers-ai",
			route: "/api/chat",
			state: "delivered",
			refused: false,
		});
	});

	it("filters by vote, state, comment and time", async () => {
		const model = testModel();
		const start = Date.UTC(2026, 10, 1);
		await seed(
			answers(model, 12, start, (i) => ({
				comment: i % 4 === 0 ? `comment ${i}` : undefined,
				state: i === 5 ? "failed" : i === 7 ? "pending" : "delivered",
				refused: i === 5,
			})),
		);
		const { json } = admin();
		const ids = async (params: Record<string, string | number | boolean>) =>
			(await json<{ items: Item[] }>(`/feedback?${query({ model, ...params })}`)).items.map(
				(item) => Number(item.aiGatewayLogId.slice(-4)),
			);
		expect(await ids({ vote: "down" })).toEqual([10, 7, 4, 1]);
		expect(await ids({ state: "failed" })).toEqual([5]);
		expect(await ids({ state: "pending" })).toEqual([7]);
		expect(await ids({ hasComment: true })).toEqual([8, 4, 0]);
		expect(await ids({ hasComment: false, vote: "up" })).toEqual([9, 6, 3]);
		// Votes were created a second after their answer: i = 2 at start + 3 s.
		expect(
			await ids({
				since: new Date(start + 3000).toISOString(),
				until: new Date(start + 6000).toISOString(),
			}),
		).toEqual([4, 3, 2]);
		expect(await ids({ model: "@test/no-such-model" })).toEqual([]);
		const [failed] = (
			await json<{ items: Item[] }>(`/feedback?${query({ model, state: "failed" })}`)
		).items;
		expect(failed).toMatchObject({ refused: true, error: "the gateway rejected the vote (400)" });
	});

	it("answers every invalid filter with 400 and a stable code", async () => {
		const { get } = admin();
		const cases: [string, string, string][] = [
			["vote=sideways", "invalid_request", "vote"],
			["state=lost", "invalid_request", "state"],
			["hasComment=yes", "invalid_request", "hasComment"],
			["limit=0", "invalid_request", "limit"],
			["limit=201", "invalid_request", "limit"],
			["limit=ten", "invalid_request", "limit"],
			["since=yesterday", "invalid_request", "since"],
			["since=2026-02-31", "invalid_request", "since"],
			["until=2026-11-22T25:00:00Z", "invalid_request", "until"],
			["since=2026-11-22&until=2026-11-21", "invalid_request", "until"],
			["model=", "invalid_request", "model"],
			["modle=x", "invalid_request", "modle"],
			["cursor=not-a-cursor", "invalid_cursor", "cursor"],
			[`cursor=${btoa("1.abc.some-log.zz")}`, "invalid_cursor", "cursor"],
			// Too long to be one of ours is the same kind of error as any other foreign cursor.
			[`cursor=${"a".repeat(301)}`, "invalid_cursor", "cursor"],
			[`model=${"m".repeat(201)}`, "invalid_request", "model"],
			// A repeated parameter is refused, not read as its first value.
			["state=delivered&state=failed", "invalid_request", "state"],
			["limit=5&vote=up&limit=5", "invalid_request", "limit"],
		];
		for (const [params, code, param] of cases) {
			const res = await get(`/feedback?${params}`);
			expect(res.status, params).toBe(400);
			const { error } = (await res.json()) as ErrorJson;
			expect(error.code, params).toBe(code);
			expect(error.message.startsWith(`${param}: `), `${params}: ${error.message}`).toBe(true);
			expect(error.message, params).not.toMatch(VALIBOT_DEFAULT_WORDING);
		}
		const repeated = await get("/feedback?state=delivered&state=failed");
		expect(((await repeated.json()) as ErrorJson).error.message).toBe(
			"state: appears 2 times; send each parameter once",
		);
		const export_ = await get("/feedback/export?format=csv&format=jsonl");
		expect(export_.status).toBe(400);
		expect(((await export_.json()) as ErrorJson).error.message).toMatch(/^format: appears 2 times/);
	});

	it("says what is wrong with any parameter in words, never the validator's", async () => {
		const { get } = admin();
		const params = [
			"model",
			"vote",
			"state",
			"hasComment",
			"judgeAgrees",
			"since",
			"until",
			"limit",
			"cursor",
			"format",
			"x",
		];
		const values = ["", "x", "-1", "1e3", "2026-13-01", "2026-11-22T08:00:00", "x".repeat(301)];
		for (const route of ["/feedback", "/feedback/export", "/stats"]) {
			for (const param of params) {
				for (const value of values) {
					const res = await get(`${route}?${query({ [param]: value })}`);
					if (res.status === 200) continue;
					expect(res.status).toBe(400);
					const { error } = (await res.json()) as ErrorJson;
					expect(error.message, `${route} ${param}=${value}`).toMatch(new RegExp(`^${param}: `));
					expect(error.message, `${route} ${param}=${value}`).not.toMatch(VALIBOT_DEFAULT_WORDING);
				}
			}
		}
	});

	it("names every allowed state when the state filter is wrong", async () => {
		const res = await admin().get("/feedback?state=lost");
		expect(res.status).toBe(400);
		expect(((await res.json()) as ErrorJson).error).toEqual({
			code: "invalid_request",
			message: "state: must be pending, delivered, failed or refused",
		});
	});

	it("lists the votes of a gateway that takes no feedback with state=refused", async () => {
		const harness = await createSharedHarness({ logsApi: "unsupported" });
		const body = (await (await harness.ask("Rate me")).json()) as ChatJson;
		const aiGatewayLogId = body.aiGatewayLogId as string;
		await harness.vote({ aiGatewayLogId, token: body.feedbackToken, feedback: "up" });
		expect((await harness.settled(aiGatewayLogId, body.feedbackToken)).state).toBe("refused");
		await voteRow(aiGatewayLogId, (row) => row.state === "refused");
		const { items } = await admin().json<{ items: Item[] }>("/feedback?state=refused&limit=200");
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((item) => item.state === "refused")).toBe(true);
		expect(items.find((item) => item.aiGatewayLogId === aiGatewayLogId)).toMatchObject({
			vote: "up",
			state: "refused",
		});
	});

	it("refuses a cursor made for other filters", async () => {
		const model = testModel();
		await seed(answers(model, 3, Date.now() - DAY_MS));
		const { json, get } = admin();
		const { nextCursor } = await json<{ nextCursor: string }>(
			`/feedback?${query({ model, limit: 1 })}`,
		);
		expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
		expect((await get(`/feedback?${query({ model, limit: 1, cursor: nextCursor })}`)).status).toBe(
			200,
		);
		const other = await get(`/feedback?${query({ model, vote: "up", cursor: nextCursor })}`);
		expect(other.status).toBe(400);
		expect(((await other.json()) as ErrorJson).error.code).toBe("invalid_cursor");
	});
});

describe("list cursors are signed", () => {
	const base64url = (text: string) =>
		btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

	it("refuses a cursor whose position was changed, or that another ADMIN_TOKEN signed", async () => {
		const model = testModel();
		await seed(answers(model, 4, Date.now() - DAY_MS));
		const { json, get } = admin();
		const { nextCursor } = await json<{ nextCursor: string }>(
			`/feedback?${query({ model, limit: 1 })}`,
		);
		const [version, createdAt, ...rest] = cursorText(nextCursor).split(".");
		// A position of our own choosing (a second later), everything else as given out.
		const moved = [version, (Number.parseInt(createdAt ?? "", 36) + 1000).toString(36), ...rest];
		const otherToken = "another-admin-token-0123456789abcdefgh";
		const { nextCursor: foreign } = (await (
			await admin({ ADMIN_TOKEN: otherToken }).get(`/feedback?${query({ model, limit: 1 })}`, {
				authorization: `Bearer ${otherToken}`,
			})
		).json()) as { nextCursor: string };
		for (const cursor of [base64url(moved.join(".")), foreign]) {
			const res = await get(`/feedback?${query({ model, limit: 1, cursor })}`);
			expect(res.status, cursorText(cursor)).toBe(400);
			expect(await res.json()).toEqual({
				error: {
					code: "invalid_cursor",
					message:
						"cursor: not a cursor this list gave out for these filters; start again without it",
				},
			});
		}
	});

	it("refuses a hand-built cursor in the list's old unsigned form", async () => {
		const model = testModel();
		await seed(answers(model, 2, Date.now() - DAY_MS));
		// `1.<created_at>.<log id>.<FNV-1a of the filters>.<bookmark>`, as the list once gave out.
		const filters = JSON.stringify([model, null, null, null, null, null]);
		let hash = 0x811c9dc5;
		for (let i = 0; i < filters.length; i++)
			hash = Math.imul(hash ^ filters.charCodeAt(i), 0x01000193);
		const bookmark = `${"0".repeat(8)}-${"0".repeat(8)}-${"0".repeat(8)}-${"0".repeat(32)}`;
		const forged = base64url(
			`1.${Date.now().toString(36)}.zzz.${(hash >>> 0).toString(36)}.${bookmark}`,
		);
		const res = await admin().get(`/feedback?${query({ model, limit: 1, cursor: forged })}`);
		expect(res.status).toBe(400);
		expect(((await res.json()) as ErrorJson).error.code).toBe("invalid_cursor");
	});
});

describe("GET /api/admin/feedback/export", () => {
	const conversation = [
		{ role: "system", content: "Be brief." },
		{ role: "user", content: 'Hello, "world"\nsecond line' },
	];

	it("streams every filtered row as JSON Lines, transcripts included, across batches", async () => {
		const model = testModel();
		const rows = answers(model, 450, Date.now() - 2 * DAY_MS, (i) => ({
			conversation: i === 0 ? conversation : undefined,
			answer: i === 0 ? "Hi." : undefined,
		}));
		await seed(rows);
		const { get } = admin();
		const res = await get(`/feedback/export?${query({ model })}`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
		expect(res.headers.get("content-disposition")).toMatch(
			/^attachment; filename="feedback-\d{4}-\d{2}-\d{2}\.jsonl"$/,
		);
		const lines = (await text(res))
			.trimEnd()
			.split("\n")
			.map((line) => JSON.parse(line));
		expect(lines).toHaveLength(450);
		expect(new Set(lines.map((line) => line.aiGatewayLogId)).size).toBe(450);
		expect(lines.at(-1)).toMatchObject({
			aiGatewayLogId: rows[0]?.id,
			model,
			vote: "up",
			conversation,
			answer: "Hi.",
		});
		expect(lines[0]).toMatchObject({ conversation: null, answer: null });

		const downs = await text(
			await get(`/feedback/export?${query({ model, vote: "down", format: "jsonl" })}`),
		);
		expect(downs.trimEnd().split("\n")).toHaveLength(150);
	});

	it("writes CSV a spreadsheet reads as data: quoted fields, no formulas", async () => {
		const model = testModel();
		await seed([
			{
				id: "csv-row",
				model,
				createdAt: Date.now() - DAY_MS,
				vote: "down",
				score: 10,
				comment: '=HYPERLINK("http://evil.example","click"), and "quotes"',
				conversation,
				answer: "Line one\nline two",
			},
		]);
		const res = await admin().get(`/feedback/export?${query({ model, format: "csv" })}`);
		expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
		const csv = await text(res);
		const [header, row] = csv.split("\r\n");
		const columns = header?.split(",") ?? [];
		expect(columns.slice(0, 3)).toEqual(["aiGatewayLogId", "createdAt", "model"]);
		expect(columns.slice(-2)).toEqual(["conversation", "answer"]);
		expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), and ""quotes"""`);
		expect(csv).toContain('"Line one\nline two"\r\n');
		expect(csv).toContain(`"${JSON.stringify(conversation).replaceAll('"', '""')}"`);
		expect(csv.endsWith("\r\n")).toBe(true);
	});

	it("keeps identifiers as they are in CSV: every row's model matches the JSON Lines export", async () => {
		const model = testModel();
		const typed = ["=1+1", "+SUM(A1)", "-2", "@SUM(A1)"];
		await seed(
			answers(model, 6, Date.now() - DAY_MS, (i) => ({
				comment: typed[i],
				answer: i === 0 ? "@everyone, see =A1" : undefined,
			})),
		);
		const { get } = admin();
		const jsonl = (await text(await get(`/feedback/export?${query({ model })}`)))
			.trimEnd()
			.split("\n")
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		const csv = csvObjects(
			await text(await get(`/feedback/export?${query({ model, format: "csv" })}`)),
		);
		expect(csv).toHaveLength(6);
		expect(csv.map((row) => row.aiGatewayLogId)).toEqual(jsonl.map((row) => row.aiGatewayLogId));
		expect(model.startsWith("@")).toBe(true);
		csv.forEach((row, i) => {
			expect(row.model, row.aiGatewayLogId).toBe(jsonl[i]?.model);
			expect(row.requestedModel, row.aiGatewayLogId).toBe(jsonl[i]?.requestedModel);
			expect(row.route).toBe(jsonl[i]?.route);
			expect(row.state).toBe(jsonl[i]?.state);
		});
		// What people typed (and the transcripts) is still guarded.
		const byId = new Map(csv.map((row) => [row.aiGatewayLogId, row]));
		typed.forEach((comment, i) => {
			expect(byId.get(`${model.slice(6)}-000${i}`)?.comment).toBe(`'${comment}`);
		});
		expect(byId.get(`${model.slice(6)}-0000`)?.answer).toBe("'@everyone, see =A1");
	});

	it("escapes U+2028 and U+2029 in JSON Lines, so line-splitting readers see one record a line", async () => {
		const model = testModel();
		const comment = "first\u2028second\u2029third\u0085fourth";
		await seed([
			{ id: `ls-${model.slice(6)}`, model, createdAt: Date.now() - DAY_MS, vote: "down", comment },
		]);
		const jsonl = await text(await admin().get(`/feedback/export?${query({ model })}`));
		expect(jsonl).not.toMatch(/[\u2028\u2029\u0085]/);
		// Where Python's str.splitlines() breaks a line, but for the C0 controls JSON escapes.
		const lines = jsonl.split(/\r\n|[\n\r\u0085\u2028\u2029]/).filter(Boolean);
		expect(lines).toHaveLength(1);
		expect(JSON.parse(lines[0] ?? "")).toMatchObject({ comment });
	});

	it("takes only jsonl or csv", async () => {
		const res = await admin().get("/feedback/export?format=xlsx");
		expect(res.status).toBe(400);
		expect((await res.json()) as ErrorJson).toMatchObject({ error: { code: "invalid_request" } });
	});
});

describe("GET /api/admin/stats and /health", () => {
	it("counts per model and day, with the up-rate's Wilson interval, mean score and median latency", async () => {
		const a = testModel("a");
		const b = testModel("b");
		const day1 = Date.UTC(2026, 10, 10, 9);
		const day2 = day1 + DAY_MS;
		const rows: SeedAnswer[] = [
			// a, day 1: 3 up, 1 down, 1 cleared, 1 unrated; latencies 100..600.
			...["up", "up", "up", "down", "clear", undefined].map((vote, i) => ({
				id: `a1-${i}`,
				model: a,
				createdAt: day1 + i,
				totalMs: 100 * (i + 1),
				ttfbMs: 10 * (i + 1),
				vote: vote as SeedAnswer["vote"],
				score: vote === "up" ? 80 : vote === "down" ? 20 : vote === "clear" ? 99 : undefined,
			})),
			// a, day 2: 1 down.
			{ id: "a2-0", model: a, createdAt: day2, totalMs: 50, vote: "down" },
			// b, day 1: 2 up.
			...[0, 1].map((i) => ({
				id: `b1-${i}`,
				model: b,
				createdAt: day1 + i,
				totalMs: 300,
				vote: "up" as const,
			})),
		];
		await seed(rows);
		const { json, get } = admin();
		type Stats = { models: Record<string, unknown>[]; days: Record<string, unknown>[] };
		const since = new Date(day1 - 9 * 3_600_000).toISOString();
		const until = new Date(day2 + DAY_MS).toISOString();
		const stats = await json<Stats>(`/stats?${query({ model: a, since, until })}`);
		const [low, high] = wilsonInterval(3, 5);
		// Latencies come from the rollups' histograms: within the stated relative error.
		expect(stats).toMatchObject({
			since: "2026-11-10T00:00:00.000Z",
			until: "2026-11-13T00:00:00.000Z",
			latencyRelativeError: LATENCY_RELATIVE_ERROR,
		});
		expect(LATENCY_RELATIVE_ERROR).toBeLessThan(0.09);
		const [model] = stats.models;
		expect(stats.models).toEqual([
			{
				model: a,
				answers: 7,
				up: 3,
				down: 2,
				cleared: 1,
				upRate: 0.6,
				upRateLow: Math.round(low * 1e4) / 1e4,
				upRateHigh: Math.round(high * 1e4) / 1e4,
				meanScore: 65,
				// No judge ran: no verdicts, and nothing to agree with people on.
				judgeGood: 0,
				judgeBad: 0,
				judgeUnparseable: 0,
				judgeGoodRate: null,
				judgeMeanScore: null,
				medianLatencyMs: expect.any(Number),
				p90LatencyMs: expect.any(Number),
				p99LatencyMs: expect.any(Number),
				judgeVotes: {
					judgeBadPeopleDown: 0,
					judgeBadPeopleUp: 0,
					judgeGoodPeopleDown: 0,
					judgeGoodPeopleUp: 0,
				},
			},
		]);
		// Exact: the median 300, p90 540 and p99 594 of 50, 100, 200, ..., 600.
		expectNear(model?.medianLatencyMs, 300);
		expectNear(model?.p90LatencyMs, 540);
		expectNear(model?.p99LatencyMs, 594);
		expect(stats.days.map((day) => [day.day, day.answers, day.up, day.down])).toEqual([
			["2026-11-10", 6, 3, 1],
			["2026-11-11", 1, 0, 1],
		]);
		expectNear(stats.days[0]?.medianLatencyMs, 350);
		expectNear(stats.days[1]?.medianLatencyMs, 50);
		expect(stats.days[1]).toMatchObject({
			upRate: 0,
			upRateLow: 0,
			meanScore: null,
		});

		const both = await json<Stats>(`/stats?${query({ since, until })}`);
		const models = both.models.filter((row) => row.model === a || row.model === b);
		expect(models.map((row) => [row.model, row.answers, row.upRate])).toEqual(
			[
				[a, 7, 0.6],
				[b, 2, 1],
			].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
		);

		const tooLong = await get(`/stats?${query({ since: "2024-01-01", until: "2026-01-01" })}`);
		expect(tooLong.status).toBe(400);
		expect(((await tooLong.json()) as ErrorJson).error.message).toMatch(/^since: .*366 days/);

		// A since in the future (until defaults to now) says so, not that the range is too long.
		const future = await get(
			`/stats?${query({ since: new Date(Date.now() + DAY_MS).toISOString() })}`,
		);
		expect(future.status).toBe(400);
		const { error } = (await future.json()) as ErrorJson;
		expect(error.message).toMatch(/^since: is in the future; /);
		expect(error.message).not.toMatch(/366/);
	});

	it("tells delivery health: pending, delivered, refused by the gateway, dead letters", async () => {
		const { json } = admin();
		const before = (await json<{ delivery: Record<string, number> }>("/health")).delivery;
		const model = testModel();
		await seed(
			answers(model, 9, Date.now() - DAY_MS, (i) => ({
				state: i < 2 ? "pending" : i < 6 ? "delivered" : "failed",
				refused: i >= 8,
			})),
		);
		const after = (await json<{ delivery: Record<string, number> }>("/health")).delivery;
		const delta = Object.fromEntries(
			Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]),
		);
		expect(delta).toEqual({ pending: 2, delivered: 4, refused: 1, deadLetters: 3 });
	});
});

/**
 * The test D1, noting each session started on it (what it started from, and the session) and
 * every read made on the database itself, outside a session.
 */
function sessionSpy() {
	const sessions: { from: string; session: D1DatabaseSession }[] = [];
	const direct: string[] = [];
	const real = env.FEEDBACK_DB;
	const db = new Proxy(real, {
		get: (target, key) => {
			if (key === "withSession")
				return (from: string) => {
					const session = target.withSession(from);
					sessions.push({ from, session });
					return session;
				};
			if (key === "prepare" || key === "batch" || key === "exec") direct.push(key);
			const value = Reflect.get(target, key);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return { db, sessions, direct };
}

/** A cursor's raw text: `2.<created_at>.<log id>.<tag>[.<bookmark>]`. */
const cursorText = (cursor: string) => atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));

describe("reads through D1 sessions (read replicas)", () => {
	it("stats, health, the list and the export each read in a session on any replica", async () => {
		for (const path of ["/stats", "/health", "/feedback", "/feedback/export"]) {
			const spy = sessionSpy();
			const res = await admin({ FEEDBACK_DB: spy.db }).get(path);
			expect(res.status, path).toBe(200);
			await res.arrayBuffer();
			expect(
				spy.sessions.map(({ from }) => from),
				path,
			).toEqual(["first-unconstrained"]);
			expect(spy.direct, path).toEqual([]);
		}
	});

	it("a list page starts its session from the bookmark of the page before, carried in its cursor", async () => {
		const model = testModel();
		await seed(answers(model, 3, Date.now() - DAY_MS));
		const spy = sessionSpy();
		const { json } = admin({ FEEDBACK_DB: spy.db });
		const seen: string[] = [];
		let cursor: string | undefined;
		for (let page = 0; page < 3; page++) {
			const body = await json<{ items: Item[]; nextCursor: string | null }>(
				`/feedback?${query({ model, limit: 1, cursor })}`,
			);
			seen.push(...body.items.map((item) => item.aiGatewayLogId));
			const { session } = spy.sessions[page] ?? {};
			const bookmark = session?.getBookmark();
			expect(bookmark).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
			if (page < 2) {
				expect(cursorText(body.nextCursor ?? "").endsWith(`.${bookmark}`)).toBe(true);
			} else expect(body.nextCursor).toBeNull();
			cursor = body.nextCursor ?? undefined;
		}
		expect(seen).toHaveLength(3);
		expect(new Set(seen).size).toBe(3);
		// The first page on any replica; each next one from the bookmark its cursor carried.
		const [first, second, third] = spy.sessions;
		expect(spy.sessions.map(({ from }) => from)).toEqual([
			"first-unconstrained",
			first?.session.getBookmark(),
			second?.session.getBookmark(),
		]);
		expect(third).toBeDefined();
		expect(spy.direct).toEqual([]);
	});

	it("refuses a cursor whose bookmark is not one D1 gives out", async () => {
		const model = testModel();
		await seed(answers(model, 2, Date.now() - DAY_MS));
		const { json, get } = admin();
		const { nextCursor } = await json<{ nextCursor: string }>(
			`/feedback?${query({ model, limit: 1 })}`,
		);
		const text = cursorText(nextCursor);
		const forged = btoa(text.replace(/\.[0-9a-f-]+$/, ".not-a-bookmark")).replace(/=+$/, "");
		const res = await get(`/feedback?${query({ model, limit: 1, cursor: forged })}`);
		expect(res.status).toBe(400);
		expect(((await res.json()) as ErrorJson).error.code).toBe("invalid_cursor");
	});
});
