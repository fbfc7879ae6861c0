/**
 * Tools and JSON mode as OpenAI's API shapes them: what /v1 takes, and what OpenAI-shaped
 * models take as they are (gateway/tools.ts translates them for the other forms).
 */

/** A call of a tool, as OpenAI answers it: the arguments are a JSON text. */
export interface ToolCall {
	id: string;
	type: "function";
	function: { name: string; arguments: string };
}

export interface FunctionTool {
	type: "function";
	function: {
		name: string;
		description?: string;
		parameters?: Record<string, unknown>;
		strict?: boolean | null;
	};
}

export type ToolChoice =
	| "none"
	| "auto"
	| "required"
	| { type: "function"; function: { name: string } };

export type ResponseFormat =
	| { type: "text" }
	| { type: "json_object" }
	| {
			type: "json_schema";
			json_schema: {
				name: string;
				description?: string;
				schema?: Record<string, unknown>;
				strict?: boolean | null;
			};
	  };

/** What a chat request asks for beyond text (all optional: /api/chat asks for none of it). */
export interface ToolOptions {
	tools?: FunctionTool[];
	tool_choice?: ToolChoice;
	parallel_tool_calls?: boolean;
	response_format?: ResponseFormat;
}

/** The tools the model may call: none without tools or with tool_choice "none". */
export const callableTools = ({ tools, tool_choice }: ToolOptions): FunctionTool[] =>
	tool_choice === "none" ? [] : (tools ?? []);

/** tool_choice "required" or a named function: the caller wants a tool called. */
export const forcesToolCall = ({ tool_choice }: ToolOptions): boolean =>
	tool_choice === "required" || typeof tool_choice === "object";

export const wantsJson = ({ response_format }: ToolOptions): boolean =>
	response_format !== undefined && response_format.type !== "text";
