/** The gateway a request goes through, and its per-request options. */

import type { Metadata } from "./log-store.ts";

/** `options.gateway` of `env.AI.run`, as the binding sends it. */
export interface RunGatewayOptions {
	id?: string;
	metadata?: Metadata;
	requestTimeoutMs?: number;
	collectLog?: boolean;
}

/** The gateway a request goes through, with its per-request options. */
export interface GatewayContext {
	id: string;
	metadata?: Metadata;
	requestTimeoutMs?: number;
	/** `collectLog: false` / `cf-aig-collect-log: false`: no log is kept. */
	collectLog: boolean;
	/** `cf-aig-collect-log-payload: false`: the log keeps no bodies. */
	collectPayload: boolean;
}

/**
 * Options from `options.gateway` (env.AI.run) or `cf-aig-*` headers (the universal
 * endpoint, and `extraHeaders` of either call); an option wins over a header.
 */
export function gatewayContext(
	id: string,
	headers: Headers,
	options?: RunGatewayOptions,
): GatewayContext {
	const flag = (name: string) => {
		const value = headers.get(name)?.trim().toLowerCase();
		return value === "true" ? true : value === "false" ? false : undefined;
	};
	const metadataHeader = headers.get("cf-aig-metadata");
	const timeoutHeader = headers.get("cf-aig-request-timeout");
	let metadata = options?.metadata;
	if (metadata === undefined && metadataHeader) {
		try {
			metadata = JSON.parse(metadataHeader) as Metadata;
		} catch {
			metadata = undefined;
		}
	}
	return {
		id,
		metadata,
		requestTimeoutMs:
			options?.requestTimeoutMs ?? (timeoutHeader ? Number(timeoutHeader) : undefined),
		collectLog: options?.collectLog ?? flag("cf-aig-collect-log") ?? true,
		collectPayload: flag("cf-aig-collect-log-payload") ?? true,
	};
}
