// Keeps the newest text in view while an answer streams, unless the reader scrolled up to
// read something earlier: then the page leaves the scroll position alone and offers a
// "Latest" button. The conversation scrolls in a box of its own between the header and the
// composer, so the composer never covers an answer.

/** How close to the end still counts as reading the latest text. */
const NEAR_END_PX = 48;

export function createFollower(scroller, jumpButton) {
	let pinned = true;
	let lastTop = scroller.scrollTop;
	const atEnd = () =>
		scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_END_PX;
	const showJump = () => {
		jumpButton.hidden = pinned || atEnd();
	};
	const toEnd = () => {
		scroller.scrollTop = scroller.scrollHeight;
		lastTop = scroller.scrollTop;
	};

	// The page only ever scrolls down: a scroll up is the reader's.
	scroller.addEventListener(
		"scroll",
		() => {
			const top = scroller.scrollTop;
			if (top < lastTop - 1) pinned = false;
			if (atEnd()) pinned = true;
			lastTop = top;
			showJump();
		},
		{ passive: true },
	);
	// A wheel turned up unpins at once, before its scroll event, so a frame rendered in
	// between does not pull the reader back down.
	scroller.addEventListener(
		"wheel",
		(event) => {
			if (event.deltaY < 0) pinned = false;
		},
		{ passive: true },
	);
	scroller.addEventListener("touchmove", () => {
		if (!atEnd()) pinned = false;
	});
	jumpButton.addEventListener("click", () => {
		pinned = true;
		toEnd();
		showJump();
	});
	// The box shrinks when the composer grows (a longer message, a notice), and the content
	// grows with every rendered delta, status line or opened control: stay at the end.
	// Resize observations come after layout and before paint, so nothing flickers.
	const resized = new ResizeObserver(() => {
		if (pinned) toEnd();
		showJump();
	});
	resized.observe(scroller);
	for (const child of scroller.children) resized.observe(child);

	return {
		/** After new content: follow it if the reader is at the end. */
		follow() {
			if (pinned) toEnd();
			showJump();
		},
		/** The reader asked for something new (sent a message): go to the end and stay there. */
		pin() {
			pinned = true;
			toEnd();
			showJump();
		},
	};
}
