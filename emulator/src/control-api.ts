/** The emulator's switches over HTTP, mounted at /__emulator, for callers behind a service binding. */

import { Hono } from "hono";
import type { FaultStatus, FaultTarget, HoldPart } from "./faults.ts";
import type { EmulatorSettings } from "./settings.ts";
import type { EmulatorState } from "./state.ts";

export function controlApi(state: EmulatorState): Hono {
	return new Hono()
		.put("/gateways/:gateway/settings", async (c) => {
			try {
				state.settings.configure(
					await c.req.json<Partial<EmulatorSettings>>(),
					c.req.param("gateway"),
				);
			} catch (error) {
				return c.json({ error: String(error) }, 400);
			}
			return c.body(null, 204);
		})
		.post("/gateways/:gateway/faults", async (c) => {
			const { target, status, count } = await c.req.json<{
				target: FaultTarget;
				status: FaultStatus;
				count?: number;
			}>();
			state.faults.add(target, status, count, c.req.param("gateway"));
			return c.body(null, 204);
		})
		.post("/gateways/:gateway/holds", async (c) => {
			const text = await c.req.text();
			const { part } = (text ? JSON.parse(text) : {}) as { part?: HoldPart };
			return c.json({ id: state.holds.add(c.req.param("gateway"), part).id });
		})
		.post("/holds/:id/release", (c) => {
			state.holds.release(c.req.param("id"));
			return c.body(null, 204);
		})
		.get("/gateways/:gateway/runs", (c) =>
			c.json(state.runs.filter((run) => run.gatewayId === c.req.param("gateway"))),
		)
		.get("/gateways/:gateway/logs/:logId", (c) => {
			const log = state.logs.peek(c.req.param("logId"));
			if (!log || log.gatewayId !== c.req.param("gateway"))
				return c.json({ error: "no such log" }, 404);
			return c.json(log);
		});
}
