/** The error bodies the emulator answers with, each in the shape its real counterpart uses. */

/**
 * The Cloudflare API's v4 envelope, as the Workers AI errors, the universal endpoint's
 * Workers AI steps and the gateway's log and URL calls use it.
 */
export function gatewayError(
	status: number,
	code: number,
	message: string,
	headers?: Headers,
): Response {
	return Response.json({ success: false, errors: [{ code, message }] }, { status, headers });
}

/**
 * AI Gateway's own refusals (`name: "AiGatewayError"`): Guardrails blocks, credits,
 * rate and spend limits, unknown models and routes. The shape was seen verbatim on live
 * accounts, e.g. `{"success":false,"result":[],"messages":[],"error":[{"code":2003,
 * "message":"Rate limited"}],"name":"AiGatewayError","httpCode":429,"internalCode":2003,
 * "message":"Rate limited","description":"Rate limited"}`. The binding's `run` throws it as
 * `InferenceUpstreamError` named `AiGatewayError` with the message `"<internalCode>: <description>"`.
 */
export function aiGatewayError(
	status: number,
	code: number,
	message: string,
	{ description = message, headers }: { description?: string; headers?: Headers } = {},
): Response {
	return Response.json(
		{
			success: false,
			result: [],
			messages: [],
			error: [{ code, message }],
			name: "AiGatewayError",
			httpCode: status,
			internalCode: code,
			message,
			description,
		},
		{ status, headers },
	);
}

/** The documented and observed AiGatewayError codes the emulator uses. */
export const AIG = {
	/** Every step of a universal request (or route) failed; also a provider call that failed. */
	providerFailed: 2005,
	/** A `compat` model whose provider prefix the gateway does not know. */
	invalidProvider: 2008,
	/** Guardrails blocked the prompt. */
	promptBlocked: 2016,
	/** Guardrails blocked the response. */
	responseBlocked: 2017,
	/** Unified Billing has no credits left (also a Guardrails scanner without credits). */
	insufficientCredits: 2021,
	/** Model (or dynamic route) not found; user input rejected before the model ran. */
	notFoundOrInput: 7003,
} as const;

/** Workers AI's own error codes by HTTP status, for emulated failures and timeouts. */
export const WORKERS_AI_CODES: Record<number, number> = {
	400: 5006,
	401: 10000,
	404: 5007,
	429: 3040,
	500: 3043,
	502: 3043,
	503: 3040,
	504: 3046,
};

export const PROMPT_BLOCKED = "Prompt blocked due to security configurations";
export const RESPONSE_BLOCKED = "Response blocked due to security configurations";

/** Out of Unified Billing credits, with the message and description seen on live accounts. */
export const outOfCredits = (headers?: Headers) =>
	aiGatewayError(
		402,
		AIG.insufficientCredits,
		"Insufficient balance; add money to your gateway or use BYOK",
		{ description: "Insufficient AI Gateway credits", headers },
	);

/** A request the model's published schema rejects, as the gateway reports it before billing. */
export const userInputError = (detail: string, headers?: Headers) =>
	aiGatewayError(400, AIG.notFoundOrInput, `Model execution failed (User Input Error): ${detail}`, {
		description: "User Input Error",
		headers,
	});

export const modelNotFound = (model: string, headers?: Headers) =>
	aiGatewayError(404, AIG.notFoundOrInput, `Model not found: ${model}`, { headers });

/**
 * The whole service unreachable: Cloudflare's edge answers with its own HTML page, not
 * the API's JSON (a guess at the worst case: no JSON to parse, and retrying helps only
 * once it is back).
 */
export function serviceDownPage(): Response {
	return new Response(
		"<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>" +
			"<body><h1>Service Temporarily Unavailable</h1>" +
			"<p>The AI Gateway emulator is set to be down (serviceDown).</p></body></html>",
		{ status: 503, headers: { "content-type": "text/html; charset=UTF-8" } },
	);
}
