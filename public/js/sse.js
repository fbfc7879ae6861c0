// Reads a text/event-stream response body: the framing POST /api/chat streams in.

/** Parses a text/event-stream body into { event, data } objects. */
export async function* readEvents(body) {
	const reader = body.pipeThrough(new TextDecoderStream()).getReader();
	let buffer = "";
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return;
		buffer += value.replaceAll("\r\n", "\n");
		let end = buffer.indexOf("\n\n");
		while (end !== -1) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			const event = { event: undefined, data: "" };
			const data = [];
			for (const line of block.split("\n")) {
				const colon = line.indexOf(":");
				const field = colon === -1 ? line : line.slice(0, colon);
				const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
				if (field === "event") event.event = value;
				else if (field === "data") data.push(value);
			}
			event.data = data.join("\n");
			if (data.length) yield event;
			end = buffer.indexOf("\n\n");
		}
	}
}
