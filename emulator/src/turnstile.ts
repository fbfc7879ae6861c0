/**
 * A stand-in for Turnstile's Siteverify (`POST /turnstile/v0/siteverify`), for `npm run dev` and
 * the tests: the app reaches it only through the dev-only TURNSTILE_EMULATOR binding.
 *
 * Cloudflare's published test secret keys behave as documented: `1x…AA` accepts only the
 * dummy token `XXXX.DUMMY.TOKEN.XXXX` (what the test site keys' widget yields), `2x…AA` always
 * fails (`invalid-input-response`), `3x…AA` always answers the token is spent
 * (`timeout-or-duplicate`). Besides, `issue()` (or `POST /turnstile/v0/stand-in/tokens`)
 * mints a token as a real widget would, for a secret, an action and a hostname: Siteverify
 * with that secret accepts it once, within 300 seconds, and an `idempotency_key` sent again
 * with the same token gets the first answer again instead of a replay.
 */

export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
export const TEST_SECRETS = {
	passes: "1x0000000000000000000000000000000AA",
	fails: "2x0000000000000000000000000000000AA",
	spent: "3x0000000000000000000000000000000AA",
} as const;
export const TEST_SITE_KEYS = {
	passes: "1x00000000000000000000AA",
	blocks: "2x00000000000000000000AB",
	interactive: "3x00000000000000000000FF",
} as const;
/** A token's life at Siteverify. */
const TOKEN_TTL_MS = 300_000;

export interface SiteverifyAnswer {
	success: boolean;
	"error-codes": string[];
	challenge_ts?: string;
	hostname?: string;
	action?: string;
	cdata?: string;
}

interface IssuedToken {
	secret: string;
	action: string;
	hostname: string;
	issuedAt: number;
	spent: boolean;
}

const failure = (code: string): SiteverifyAnswer => ({ success: false, "error-codes": [code] });

export class SiteverifyStandIn {
	readonly #tokens = new Map<string, IssuedToken>();
	/** Each idempotency key's token and first answer. */
	readonly #answered = new Map<string, { token: string; answer: SiteverifyAnswer }>();
	readonly #now: () => number;
	#lostAnswers = 0;
	/** Every verification asked for, in order (what the app sent). */
	readonly requests: Record<string, unknown>[] = [];

	constructor({ now = () => Date.now() }: { now?: () => number } = {}) {
		this.#now = now;
	}

	/** A token as the widget hands it over after a challenge solved on `hostname`. */
	issue({ secret, action, hostname }: { secret: string; action: string; hostname: string }) {
		const token = `standin.${crypto.randomUUID()}`;
		this.#tokens.set(token, { secret, action, hostname, issuedAt: this.#now(), spent: false });
		return token;
	}

	/**
	 * The next `count` verifications are carried out (a token is spent) but their answers are
	 * lost on the way: 502 instead, as from a network fault after Siteverify did its work.
	 */
	loseNextAnswers(count = 1) {
		this.#lostAnswers += count;
	}

	verify(fields: Record<string, unknown>): SiteverifyAnswer {
		const secret = typeof fields.secret === "string" ? fields.secret : "";
		const token = typeof fields.response === "string" ? fields.response : "";
		const key = typeof fields.idempotency_key === "string" ? fields.idempotency_key : "";
		const earlier = key ? this.#answered.get(key) : undefined;
		if (earlier && earlier.token === token) return earlier.answer;
		const answer = this.#firstVerdict(secret, token);
		if (key) this.#answered.set(key, { token, answer });
		return answer;
	}

	#firstVerdict(secret: string, token: string): SiteverifyAnswer {
		if (!secret) return failure("missing-input-secret");
		if (!token) return failure("missing-input-response");
		if (secret === TEST_SECRETS.fails) return failure("invalid-input-response");
		if (secret === TEST_SECRETS.spent) return failure("timeout-or-duplicate");
		if (secret === TEST_SECRETS.passes) {
			// Test secrets accept only the dummy token, and real tokens only real secrets.
			if (token !== DUMMY_TOKEN) return failure("invalid-input-response");
			return {
				success: true,
				"error-codes": [],
				challenge_ts: new Date(this.#now()).toISOString(),
				hostname: "localhost",
				action: "test",
				cdata: "test-data",
			};
		}
		const issued = this.#tokens.get(token);
		if (!issued || issued.secret !== secret) return failure("invalid-input-response");
		if (issued.spent || this.#now() - issued.issuedAt > TOKEN_TTL_MS)
			return failure("timeout-or-duplicate");
		issued.spent = true;
		return {
			success: true,
			"error-codes": [],
			challenge_ts: new Date(issued.issuedAt).toISOString(),
			hostname: issued.hostname,
			action: issued.action,
		};
	}

	async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
		const request = new Request(input, init);
		const { pathname } = new URL(request.url);
		if (request.method !== "POST") return Response.json(failure("bad-request"), { status: 405 });
		const fields = await readFields(request);
		if (pathname === "/turnstile/v0/stand-in/tokens") {
			const text = (name: string) => (typeof fields[name] === "string" ? fields[name] : "");
			const token = this.issue({
				secret: text("secret"),
				action: text("action"),
				hostname: text("hostname"),
			});
			return Response.json({ token });
		}
		if (pathname !== "/turnstile/v0/siteverify")
			return Response.json(failure("bad-request"), { status: 404 });
		this.requests.push(fields);
		const answer = this.verify(fields);
		if (this.#lostAnswers > 0) {
			this.#lostAnswers--;
			return new Response("Bad Gateway", { status: 502 });
		}
		return Response.json(answer);
	}
}

/** Siteverify takes JSON or a form. */
async function readFields(request: Request): Promise<Record<string, unknown>> {
	const type = request.headers.get("content-type") ?? "";
	try {
		if (type.includes("application/json")) return (await request.json()) as Record<string, unknown>;
		return Object.fromEntries(new URLSearchParams(await request.text()));
	} catch {
		return {};
	}
}
