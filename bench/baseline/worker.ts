/**
 * The benchmark's baseline: the least a Worker can do to answer a chat through the
 * same binding. No framework, no validation, no tokens: it reads the messages, calls
 * the runtime's real `Ai` class against the same emulator, and returns the model's
 * answer (JSON or SSE) as it is. The app's overhead is measured against this.
 */
interface BaselineEnv {
	AI: Ai;
	AI_EMULATOR: Fetcher;
}

type AiConstructor = new (fetcher: Fetcher) => Ai<AiModelListType>;
let ai: Ai<AiModelListType> | undefined;

export default {
	async fetch(request, env) {
		ai ??= new (env.AI.constructor as AiConstructor)(env.AI_EMULATOR);
		const { messages, stream } = (await request.json()) as { messages: unknown; stream?: boolean };
		const res = await ai.run(
			"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
			{ messages, stream: stream === true },
			{ gateway: { id: "default" }, returnRawResponse: true },
		);
		return new Response(res.body, {
			status: res.status,
			headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
		});
	},
} satisfies ExportedHandler<BaselineEnv>;
