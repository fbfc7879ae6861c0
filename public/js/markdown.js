// Answers as Markdown, with markdown-it (public/vendor/markdown-it, copied from node_modules
// by scripts/vendor-assets.mjs). Raw HTML is off, so model output never becomes markup of
// its own; links open only to http, https and mailto, in a new tab without a referrer or
// an opener; images are not rendered (they would be requests to third parties, which the
// CSP refuses anyway).
//
// While an answer streams, blocks that are complete (every top-level block but the last)
// are rendered once and never touched again; only the last, still-open block is rendered
// again, at most once per animation frame.

import markdownit from "../vendor/markdown-it/markdown-it.js";

const SAFE_LINK = /^(https?:|mailto:)/i;

export const md = markdownit({ html: false, linkify: false, typographer: false });
md.disable(["image"]);
md.validateLink = (url) => SAFE_LINK.test(url.trim());

const renderToken = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);

md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
	tokens[idx].attrSet("target", "_blank");
	tokens[idx].attrSet("rel", "noopener noreferrer");
	return renderToken(tokens, idx, options, env, self);
};

// The conversation's own headings are h2 (one per message): an answer's start at h3.
const shiftHeading = (tokens, idx, options, env, self) => {
	const level = Math.min(6, Number(tokens[idx].tag.slice(1)) + 2);
	tokens[idx].tag = `h${level}`;
	return renderToken(tokens, idx, options, env, self);
};
md.renderer.rules.heading_open = shiftHeading;
md.renderer.rules.heading_close = shiftHeading;

// Wide tables scroll sideways in a box of their own, which the keyboard can reach.
md.renderer.rules.table_open = () => '<div class="table-wrap" tabindex="0"><table>\n';
md.renderer.rules.table_close = () => "</table></div>\n";

md.renderer.rules.fence = (tokens, idx) => {
	const token = tokens[idx];
	const lang = token.info.trim().split(/\s+/)[0] ?? "";
	const escapeHtml = md.utils.escapeHtml;
	const langClass = lang ? ` class="language-${escapeHtml(lang)}"` : "";
	return (
		'<div class="code-block">' +
		`<div class="code-head"><span class="code-lang">${escapeHtml(lang || "code")}</span>` +
		'<button type="button" class="copy-code">Copy code</button></div>' +
		`<pre tabindex="0"><code${langClass}>${escapeHtml(token.content)}</code></pre></div>\n`
	);
};

/** The whole text as HTML, at once. */
export function renderMarkdown(text) {
	return md.render(text);
}

/** Top-level blocks of a token list: [first token, end token (exclusive), source lines]. */
function topLevelBlocks(tokens) {
	const blocks = [];
	let start = -1;
	for (let i = 0; i < tokens.length; i++) {
		const token = tokens[i];
		if (token.level !== 0) continue;
		if (token.nesting === 1) start = i;
		else if (token.nesting === 0) blocks.push({ start: i, end: i + 1, lines: token.map });
		else blocks.push({ start, end: i + 1, lines: tokens[start].map });
	}
	return blocks;
}

/** Link reference definitions reach back over the whole text: such answers render whole at the end. */
const HAS_REFERENCE = /^ {0,3}\[[^\]]+\]:/m;

/**
 * An answer's Markdown rendered into `container` as it streams in: `update(text)` with the
 * text so far (rendered on the next animation frame), `finish(text)` with the whole of it.
 */
export class StreamingMarkdown {
	#container;
	#tail;
	#text = "";
	#tailHtml = "";
	/** Source lines already rendered for good. */
	#committedLines = 0;
	#frame = 0;
	/** Called after each render (the page follows the stream with it). */
	onRender = () => {};

	constructor(container) {
		this.#container = container;
		this.#tail = document.createElement("div");
		this.#tail.className = "md-tail";
		container.replaceChildren(this.#tail);
	}

	get text() {
		return this.#text;
	}

	update(text) {
		this.#text = text;
		this.#frame ||= requestAnimationFrame(() => {
			this.#frame = 0;
			this.#render(false);
		});
	}

	finish(text = this.#text) {
		this.#text = text;
		cancelAnimationFrame(this.#frame);
		this.#frame = 0;
		if (HAS_REFERENCE.test(text)) {
			this.#container.innerHTML = renderMarkdown(text);
			this.onRender();
			return;
		}
		this.#render(true);
		this.#tail.remove();
	}

	#render(final) {
		const lines = this.#text.split("\n");
		const source = lines.slice(this.#committedLines).join("\n");
		const env = {};
		const tokens = md.parse(source, env);
		const blocks = topLevelBlocks(tokens);
		const complete = final ? blocks : blocks.slice(0, -1);
		if (complete.length) {
			const html = complete
				.map((block) => md.renderer.render(tokens.slice(block.start, block.end), md.options, env))
				.join("");
			this.#tail.insertAdjacentHTML("beforebegin", html);
			this.#committedLines += complete.at(-1).lines?.[1] ?? 0;
		}
		const open = final ? null : blocks.at(-1);
		const tailHtml = open
			? md.renderer.render(tokens.slice(open.start, open.end), md.options, env)
			: "";
		if (tailHtml !== this.#tailHtml) {
			this.#tail.innerHTML = tailHtml;
			this.#tailHtml = tailHtml;
		}
		this.onRender();
	}
}
