/**
 * Tools and JSON mode, whatever the wire shape that asked for them: which reply a request
 * gets (a tool call, JSON, or text), and the smallest value that fits a JSON schema.
 */

/** A tool a request offers, reduced to what the emulator needs. */
export interface EmulatedTool {
	name: string;
	/** Its arguments' JSON schema. */
	parameters: unknown;
}

/** OpenAI's `tool_choice` in any shape: Anthropic's `any` is "required", its `tool` a name. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** JSON mode: any JSON object (`schema: null`), or a value that fits `schema`. */
export interface JsonMode {
	schema: unknown;
}

/** What the request asks for beyond text, parsed from its shape. */
export interface ToolRequest {
	tools: EmulatedTool[];
	toolChoice: ToolChoice;
	jsonMode: JsonMode | null;
}

export const NO_TOOLS: ToolRequest = { tools: [], toolChoice: "auto", jsonMode: null };

export type Reply =
	| { kind: "text" }
	| { kind: "tool"; tool: EmulatedTool }
	| { kind: "json"; schema: unknown }
	/** The judge's verdict (judge.ts). */
	| { kind: "judge" };

/**
 * A deterministic stand-in for a model's choice. With tools (and a tool_choice other than
 * "none") it calls the chosen tool, or the first; on "auto" it answers in text once the
 * last message is a tool's result, as a model that got what it needed would. Otherwise
 * JSON mode gives JSON, and everything else text.
 */
export function replyTo(
	{ tools, toolChoice, jsonMode }: ToolRequest,
	messages: readonly { role: string }[],
): Reply {
	const [first] = tools;
	if (first && toolChoice !== "none") {
		if (typeof toolChoice === "object") {
			const chosen = tools.find((tool) => tool.name === toolChoice.name);
			if (chosen) return { kind: "tool", tool: chosen };
		}
		const afterResult = messages.findLast((message) => message.role !== "system")?.role === "tool";
		if (toolChoice === "required" || !afterResult) return { kind: "tool", tool: first };
	}
	if (jsonMode) return { kind: "json", schema: jsonMode.schema };
	return { kind: "text" };
}

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
	typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The smallest value that fits a JSON schema: only required properties, the first `const`,
 * `enum` value or variant, `minimum` or 0, "emulated" for strings, `minItems` items.
 */
export function minimalValue(schema: unknown): unknown {
	if (!isSchema(schema)) return {};
	if ("const" in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
	const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
	if (Array.isArray(variants) && variants.length > 0) return minimalValue(variants[0]);
	const declared = Array.isArray(schema.type) ? schema.type[0] : schema.type;
	const type = declared ?? (isSchema(schema.items) ? "array" : "object");
	switch (type) {
		case "string":
			return "emulated";
		case "integer":
		case "number":
			return typeof schema.minimum === "number" ? schema.minimum : 0;
		case "boolean":
			return false;
		case "null":
			return null;
		case "array": {
			const count = typeof schema.minItems === "number" ? schema.minItems : 0;
			return Array.from({ length: count }, () => minimalValue(schema.items));
		}
		default: {
			const properties = isSchema(schema.properties) ? schema.properties : {};
			const required = Array.isArray(schema.required) ? schema.required : [];
			return Object.fromEntries(
				required
					.filter((key): key is string => typeof key === "string")
					.map((key) => [key, minimalValue(properties[key])]),
			);
		}
	}
}

/** Splits a JSON text into the small pieces a model streams tool arguments in. */
export function jsonPieces(text: string, size = 8): string[] {
	const pieces: string[] = [];
	for (let start = 0; start < text.length; start += size)
		pieces.push(text.slice(start, start + size));
	return pieces;
}
