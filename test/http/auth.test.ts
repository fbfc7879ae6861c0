import { describe, expect, it } from "vitest";
import { sameSecret } from "../../src/http/auth";

describe("sameSecret", () => {
	const secret = "s3cret-0123456789abcdefghijklmnopqrstuvwxyz";

	it("accepts the secret itself", async () => {
		expect(await sameSecret(secret, secret)).toBe(true);
	});

	it.each([
		["a prefix", secret.slice(0, -1)],
		["the secret and more", `${secret}x`],
		["one character changed", `${secret.slice(0, -1)}Z`],
		["another case", secret.toUpperCase()],
		["nothing", ""],
	])("refuses %s", async (_name, given) => {
		expect(await sameSecret(given, secret)).toBe(false);
	});

	it("never matches an empty expected secret with anything but itself", async () => {
		expect(await sameSecret("x", "")).toBe(false);
	});
});
