import { describe, expect, it } from "vitest";
import { once } from "../../src/core/once";

describe("once", () => {
	it("builds nothing until the first call, then builds once and gives back the same value", () => {
		let builds = 0;
		const schema = once(() => {
			builds++;
			return { built: builds };
		});
		expect(builds).toBe(0);
		const first = schema();
		expect(schema()).toBe(first);
		expect(schema()).toBe(first);
		expect(builds).toBe(1);
	});

	it("remembers a value that is falsy", () => {
		let builds = 0;
		const nothing = once(() => {
			builds++;
			return undefined;
		});
		nothing();
		nothing();
		expect(builds).toBe(1);
	});
});
