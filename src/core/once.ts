/**
 * `build`, run on the first call and remembered: what only some routes need (their schemas)
 * is built by the first request that needs it, not at start-up.
 */
export function once<T>(build: () => T): () => T {
	let built: { value: T } | undefined;
	return () => {
		built ??= { value: build() };
		return built.value;
	};
}
