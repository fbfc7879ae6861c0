// The emulator keeps its logs in a Durable Object: they survive a restart of `npm run dev`.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startDevServer } from "./dev-server.ts";

test("gateway logs and their feedback survive a dev-server restart", async (t) => {
	const persistTo = mkdtempSync(join(tmpdir(), "chat-restart-"));
	t.after(() => rmSync(persistTo, { recursive: true, force: true }));
	const first = await startDevServer(persistTo);
	let logId: string;
	try {
		const res = await fetch(`${first.url}/api/chat`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ messages: [{ role: "user", content: "Remember me" }] }),
		});
		const answer = (await res.json()) as { aiGatewayLogId: string; feedbackToken: string };
		logId = answer.aiGatewayLogId;
		const vote = await fetch(`${first.url}/api/feedback`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({
				aiGatewayLogId: logId,
				token: answer.feedbackToken,
				feedback: "down",
				score: 15,
			}),
		});
		assert.equal(vote.status, 202);
		// Delivery is asynchronous: wait until the gateway (the emulator) has the vote.
		for (let tries = 0; ; tries++) {
			const status = await fetch(`${first.url}/api/feedback/${logId}`, {
				headers: { authorization: `Bearer ${answer.feedbackToken}` },
			});
			if (((await status.json()) as { state: string }).state === "delivered") break;
			assert.ok(tries < 100, "the vote was not delivered");
			await new Promise((done) => setTimeout(done, 100));
		}
	} finally {
		await first.stop();
	}

	const second = await startDevServer(persistTo);
	try {
		const res = await fetch(`${second.url}/api/logs/${logId}`, {
			headers: { authorization: `Bearer ${second.debugToken}` },
		});
		assert.equal(res.status, 200);
		const log = (await res.json()) as { id: string; feedback: number; score: number };
		assert.equal(log.id, logId);
		assert.equal(log.feedback, -1);
		assert.equal(log.score, 15);
	} finally {
		await second.stop();
	}
});
