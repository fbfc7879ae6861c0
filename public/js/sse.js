// Reads a text/event-stream response body: the framing POST /api/chat streams in. The parser
// is eventsource-parser (public/vendor/), the same package that reads the Worker's model streams.
import { EventSourceParserStream } from "../vendor/eventsource-parser/eventsource-parser.js";

/** Parses a text/event-stream body into { event, data } objects. */
export async function* readEvents(body) {
	const reader = body
		.pipeThrough(new TextDecoderStream())
		.pipeThrough(new EventSourceParserStream())
		.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return;
		yield value;
	}
}
