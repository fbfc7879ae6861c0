/** docs/judge.md's cost estimate counts the rubric's prompt as src/judge/rubric.ts has it. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RUBRIC } from "../../src/judge/rubric";

const doc = readFileSync(resolve(import.meta.dirname, "../../docs/judge.md"), "utf8");

describe("docs/judge.md", () => {
	it("states the rubric prompt's length, in characters, as it is", () => {
		const stated = /The rubric's prompt is ([\d,]+) characters/.exec(doc)?.[1];
		expect(Number(stated?.replace(",", ""))).toBe(RUBRIC.prompt.length);
	});
});
