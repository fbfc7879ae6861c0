/** Logs a failed write to the feedback store: what failed and for which log, never the data. */
export const logStoreError = (what: string, aiGatewayLogId: string) => (err: unknown) => {
	const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
	console.error(
		JSON.stringify({ message: `feedback store: ${what} failed`, aiGatewayLogId, detail }),
	);
};
