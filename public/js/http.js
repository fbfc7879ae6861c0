// Small helpers shared by the page's modules.

/** The API's error message from a failed response, or its HTTP status. */
export async function errorMessage(res) {
	try {
		const body = await res.json();
		return body.error?.message ?? `HTTP ${res.status}`;
	} catch {
		return `HTTP ${res.status}`;
	}
}
