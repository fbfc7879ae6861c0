/**
 * mulberry32: a small deterministic generator, so a run (a failure pattern, a route's
 * splits, seeded data) can be replayed from its seed. The one copy: the emulator, the
 * tests and scripts/seed-feedback.mjs (plain Node, which strips the types) all import it.
 */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
