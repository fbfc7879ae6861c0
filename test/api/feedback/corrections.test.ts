/**
 * Corrections: a thumbs-down may carry the answer the user expected. It travels with the vote
 * (same token, same ordering by the log's Durable Object), is kept in the feedback store only
 * (never on the gateway's log), listed and exported, and cleared with the vote.
 */
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../src/core/limits";
import {
	type ChatJson,
	createSharedHarness,
	type ErrorJson,
	VALIBOT_DEFAULT_WORDING,
} from "../../harness";
import { TEST_ADMIN_TOKEN, voteRow } from "../../store/helpers";

type Harness = Awaited<ReturnType<typeof createSharedHarness>>;

async function answered(harness: Harness, content = "Correct me") {
	const body = (await (await harness.ask(content)).json()) as ChatJson;
	if (!body.aiGatewayLogId || !body.feedbackToken)
		throw new Error("answer without log id or token");
	return { aiGatewayLogId: body.aiGatewayLogId, token: body.feedbackToken };
}

const expectError = async (res: Response, status: number, message: RegExp) => {
	expect(res.status).toBe(status);
	const { error } = (await res.json()) as ErrorJson;
	expect(error.code).toBe("invalid_request");
	expect(error.message).toMatch(message);
	expect(error.message).not.toMatch(VALIBOT_DEFAULT_WORDING);
};

const adminGet = (harness: Harness, path: string) =>
	harness.call(`/api/admin${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });

const CORRECTION = '=SUM(A1) The capital of Australia is Canberra, "not" Sydney.\nSecond line.';

describe("POST /api/feedback with a correction", () => {
	it("stores a thumbs-down's correction, lists and exports it, and never puts it on the gateway's log", async () => {
		const since = new Date(Date.now() - 1000).toISOString();
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		const res = await harness.vote({
			aiGatewayLogId,
			token,
			feedback: "down",
			comment: "Wrong city",
			correction: CORRECTION,
		});
		expect(res.status).toBe(202);
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
		const row = await voteRow(aiGatewayLogId, (found) => found.state === "delivered");
		expect(row).toMatchObject({ vote: "down", comment: "Wrong city", correction: CORRECTION });

		// The gateway's log has the vote and the comment, not the correction.
		const log = await harness.peek(aiGatewayLogId);
		expect(log).toMatchObject({ feedback: -1, metadata: { comment: "Wrong city" } });
		expect(JSON.stringify(log)).not.toContain("Canberra");

		const list = (await (
			await adminGet(harness, `/feedback?vote=down&since=${since}&limit=200`)
		).json()) as { items: Record<string, unknown>[] };
		expect(list.items.find((item) => item.aiGatewayLogId === aiGatewayLogId)).toMatchObject({
			vote: "down",
			correction: CORRECTION,
		});

		const text = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());
		const jsonl = await text(await adminGet(harness, `/feedback/export?since=${since}`));
		const line = jsonl
			.trimEnd()
			.split("\n")
			.map((each) => JSON.parse(each) as Record<string, unknown>)
			.find((each) => each.aiGatewayLogId === aiGatewayLogId);
		expect(line?.correction).toBe(CORRECTION);

		// In CSV, quoted, and typed text a spreadsheet would run as a formula is defused.
		const csv = await text(await adminGet(harness, `/feedback/export?since=${since}&format=csv`));
		const header = csv.slice(0, csv.indexOf("\r\n")).split(",");
		expect(header).toContain("correction");
		expect(csv).toContain(`"'${CORRECTION.replaceAll('"', '""')}"`);
	});

	it("clears the correction with a clear, and drops it with a vote that does not repeat it", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.vote({ aiGatewayLogId, token, feedback: "down", correction: "Better" });
		await voteRow(aiGatewayLogId, (row) => row.correction === "Better");
		await harness.vote({ aiGatewayLogId, token, feedback: "clear" });
		const cleared = await voteRow(aiGatewayLogId, (row) => row.vote === "clear");
		expect(cleared.correction).toBeNull();

		await harness.vote({ aiGatewayLogId, token, feedback: "down", correction: "Again" });
		await voteRow(aiGatewayLogId, (row) => row.correction === "Again");
		await harness.vote({ aiGatewayLogId, token, feedback: "up" });
		const up = await voteRow(aiGatewayLogId, (row) => row.vote === "up");
		expect(up.correction).toBeNull();
	});

	it("orders a correction with its vote: an older one never replaces a newer one", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		const newer = { aiGatewayLogId, token, feedback: "down", correction: "Newer", sequence: 20 };
		expect((await harness.vote(newer)).status).toBe(202);
		// Older, or as old with other words: superseded, nothing changes.
		for (const late of [
			{ ...newer, correction: "Older", sequence: 10 },
			{ ...newer, correction: "Same sequence, other words" },
		]) {
			const res = await harness.vote(late);
			expect(res.status).toBe(200);
			expect(((await res.json()) as { status: string }).status).toBe("superseded");
		}
		// The same vote again (a client's retry) is accepted.
		expect((await harness.vote(newer)).status).toBe(202);
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
		const row = await voteRow(aiGatewayLogId, (found) => found.state === "delivered");
		expect(row.correction).toBe("Newer");
	});

	it(`takes ${LIMITS.correctionChars} characters (Unicode code points), refuses one more, and any correction that is not a string`, async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		expect(LIMITS.correctionChars).toBe(8000);
		const emoji = "\u{1F600}";
		const vote = { aiGatewayLogId, token, feedback: "down" };
		await expectError(
			await harness.vote({ ...vote, correction: emoji.repeat(LIMITS.correctionChars + 1) }),
			400,
			/^correction: must be at most 8000 characters; shorten it$/,
		);
		for (const correction of [42, ["a"], { text: "a" }, true])
			await expectError(
				await harness.vote({ ...vote, correction }),
				400,
				/^correction: must be a string$/,
			);
		const fits = await harness.vote({ ...vote, correction: emoji.repeat(LIMITS.correctionChars) });
		expect(fits.status, await fits.clone().text()).toBe(202);
		// null is absent, as for the other optional fields.
		expect((await harness.vote({ ...vote, correction: null })).status).toBe(202);
	});

	it.each(["up", "clear"])(
		"refuses a correction with %s: it comes with a thumbs-down",
		async (feedback) => {
			const harness = await createSharedHarness();
			const { aiGatewayLogId, token } = await answered(harness);
			await expectError(
				await harness.vote({ aiGatewayLogId, token, feedback, correction: "Better" }),
				400,
				/^correction: comes only with feedback 'down': leave it out, or vote down$/,
			);
			const status = await harness.voteStatus(aiGatewayLogId, token);
			expect(status.status).toBe(404);
		},
	);
});
