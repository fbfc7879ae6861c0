import { describe, expect, it } from "vitest";
import type { Config } from "../../src/core/config";
import {
	issueFeedbackToken,
	signFeedbackToken,
	verifyFeedbackToken,
} from "../../src/core/feedback-token";

const NOW = 1_800_000_000;
const LOG = "01977e5b-7a3c-7bb2-9c1e-2f4e8a1b0c3d";

describe("feedback tokens", () => {
	it("verify for their log id until they expire", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW, ttlSeconds: 60 });
		expect(await verifyFeedbackToken(token, LOG, ["secret"], NOW)).toBe(true);
		expect(await verifyFeedbackToken(token, LOG, ["secret"], NOW + 59)).toBe(true);
		expect(await verifyFeedbackToken(token, LOG, ["secret"], NOW + 60)).toBe(false);
	});

	it("default to a 7-day lifetime", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW });
		expect(token.split(".")[2]).toBe(String(NOW + 7 * 86_400));
	});

	it("do not verify for another log id or another secret", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW });
		expect(await verifyFeedbackToken(token, `${LOG}0`, ["secret"], NOW)).toBe(false);
		expect(await verifyFeedbackToken(token, LOG, ["other"], NOW)).toBe(false);
	});

	it("carry a key id so any listed secret can verify them", async () => {
		const oldToken = await signFeedbackToken(LOG, "old", { now: NOW });
		const newToken = await signFeedbackToken(LOG, "new", { now: NOW });
		expect(oldToken.split(".")[1]).not.toBe(newToken.split(".")[1]);
		expect(await verifyFeedbackToken(oldToken, LOG, ["new", "old"], NOW)).toBe(true);
		expect(await verifyFeedbackToken(newToken, LOG, ["new", "old"], NOW)).toBe(true);
	});

	it("reject every kind of tampering", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW });
		const [version, kid, expires, signature] = token.split(".") as [string, string, string, string];
		const variants = [
			"",
			"v1",
			[version, kid, expires].join("."),
			["v2", kid, expires, signature].join("."),
			[version, "AAAAAAAA", expires, signature].join("."),
			[version, kid, String(Number(expires) + 1), signature].join("."),
			[version, kid, `${expires}.5`, signature].join("."),
			[version, kid, expires, `${signature}A`].join("."),
			[version, kid, expires, signature.replace(/^./, (c) => (c === "A" ? "B" : "A"))].join("."),
			[version, kid, expires, "!!!"].join("."),
			[version, kid, "-1", signature].join("."),
		];
		for (const variant of variants) {
			expect(await verifyFeedbackToken(variant, LOG, ["secret"], NOW), variant).toBe(false);
		}
	});

	it("have exactly one accepted spelling", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW });
		const [version, kid, expires, signature] = token.split(".") as [string, string, string, string];
		expect(await verifyFeedbackToken(token, LOG, ["secret"], NOW)).toBe(true);
		// 32 bytes in 43 base64url characters leave 2 unused low bits in the last one.
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const last = alphabet.indexOf(signature.at(-1) as string);
		const sameBytes = `${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
		expect(atob(sameBytes.replaceAll("-", "+").replaceAll("_", "/"))).toBe(
			atob(signature.replaceAll("-", "+").replaceAll("_", "/")),
		);
		for (const variant of [
			[version, kid, `0${expires}`, signature].join("."),
			[version, kid, expires, sameBytes].join("."),
			[version, kid, expires, `${signature}=`].join("."),
		]) {
			expect(await verifyFeedbackToken(variant, LOG, ["secret"], NOW), variant).toBe(false);
		}
	});

	it("reject a genuine token with anything added", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW });
		for (const variant of [`${token}.x`, `${token}.`, `x.${token}`, `${token} `]) {
			expect(await verifyFeedbackToken(variant, LOG, ["secret"], NOW), variant).toBe(false);
		}
	});

	it("are issued only for a logged answer with feedback configured", async () => {
		const secret = "a-secret-of-at-least-32-characters!!";
		const config = { feedbackSecrets: [secret], collectLog: true } as unknown as Config;
		const token = await issueFeedbackToken(config, LOG);
		expect(await verifyFeedbackToken(token ?? "", LOG, [secret])).toBe(true);
		expect(await issueFeedbackToken(config, null)).toBeNull();
		expect(await issueFeedbackToken({ ...config, feedbackSecrets: [] }, LOG)).toBeNull();
		expect(await issueFeedbackToken({ ...config, collectLog: false }, LOG)).toBeNull();
	});

	it("expire a week after they are issued, counted in seconds", async () => {
		const before = Math.floor(Date.now() / 1000);
		const config = { feedbackSecrets: ["s".repeat(32)], collectLog: true } as unknown as Config;
		const expires = Number((await issueFeedbackToken(config, LOG))?.split(".")[2]);
		expect(expires - before).toBeGreaterThanOrEqual(7 * 86_400);
		expect(expires - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(7 * 86_400);
	});

	it("are URL- and header-safe", async () => {
		const token = await signFeedbackToken(LOG, "secret", { now: NOW });
		expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
	});
});
