/** `env.AI.run(model, inputs, options)`: Workers AI models, and third-party models through a gateway. */

import type { Context } from "hono";
import { gatewayError, serviceDownPage } from "./errors.ts";
import { gatewayContext, type RunGatewayOptions } from "./gateway-context.ts";
import { infer } from "./inference.ts";
import {
	answerModelName,
	isThirdPartyRunModel,
	missingMessages,
	parseChat,
	runModelRef,
	runShapeOf,
} from "./providers.ts";
import type { EmulatorState } from "./state.ts";

export async function run(state: EmulatorState, c: Context): Promise<Response> {
	const model = c.req.header("cf-consn-model-id") ?? "";
	const requestBody = await c.req.text();
	let payload: { inputs?: Record<string, unknown>; options?: Record<string, unknown> };
	try {
		payload = JSON.parse(requestBody);
	} catch {
		return gatewayError(400, 5006, "Error: the request body is not JSON");
	}
	const inputs = payload.inputs ?? {};
	const options = payload.options ?? {};
	const gatewayOptions = options.gateway as RunGatewayOptions | undefined;
	const gatewayId = gatewayOptions?.id;
	const settings = state.settings.for(gatewayId ?? "");
	if (settings.serviceDown) return serviceDownPage();
	if (!model) return missingMessages();
	const thirdParty = isThirdPartyRunModel(model);
	if (thirdParty && gatewayId === undefined)
		return gatewayError(
			400,
			5007,
			`No such model ${model} or task: third-party models run only through an AI Gateway (options.gateway.id)`,
		);
	const shape = runShapeOf(model, settings.googleWire);
	const request = parseChat(shape, inputs);
	// Workers AI rejects a malformed input itself, before any log; the gateway validates third-party ones.
	if (!thirdParty && request instanceof Response) return request;
	const ref = thirdParty ? runModelRef(model) : undefined;
	const { response } = await infer(state, {
		model: {
			name: model,
			answerName: answerModelName(model),
			shape,
			thirdParty,
			failureNames: [model],
		},
		request: { chat: request, inputs, options, body: requestBody, signal: c.req.raw.signal },
		gateway:
			gatewayId === undefined ? null : gatewayContext(gatewayId, c.req.raw.headers, gatewayOptions),
		surface: "run",
		restEnvelope: false,
		log: {
			provider: ref?.provider ?? "workers-ai",
			model: ref?.model ?? model,
			path: model,
			requestType: "workers-ai",
			step: 0,
		},
	});
	return response;
}
