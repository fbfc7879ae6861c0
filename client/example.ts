// The typed client of docs/api.md: openapi-fetch with the types openapi-typescript makes of
// public/openapi.json (client/openapi.d.ts, written by `npm run openapi`). `npm run check`
// type-checks this file, so the example in the docs stays true to the document.
import createClient from "openapi-fetch";
import type { paths } from "./openapi";

// JSON answers only: a streamed answer (`stream: true`) is read with an SSE parser instead.
const api = createClient<paths, "application/json">({ baseUrl: "http://localhost:8787" });

/** Asks a question, then votes the answer up: each request and answer typed from the document. */
export async function askAndVote(question: string): Promise<string> {
	const { data, error } = await api.POST("/api/chat", {
		body: { messages: [{ role: "user", content: question }] },
	});
	if (error) throw new Error(`${error.error.code}: ${error.error.message}`);
	if (data.aiGatewayLogId && data.feedbackToken) {
		const vote = await api.POST("/api/feedback", {
			body: { aiGatewayLogId: data.aiGatewayLogId, token: data.feedbackToken, feedback: "up" },
		});
		if (vote.error) console.warn(`vote refused: ${vote.error.error.code}`);
	}
	return data.response;
}
