import * as v from "valibot";
import { LIMITS, MAX_SEQUENCE_LEAD_MS } from "../../core/limits";
import { inWords, SCORE_RANGE, VOTES } from "../../core/votes";
import { LogIdSchema, objectOf, optionalField } from "../../http/schemas";

/** POST /api/feedback's body. */
const WITHDRAWAL =
	"a withdrawal (feedback 'clear') carries no score or comment: leave it out, or vote up or down";

const TokenSchema = v.pipe(
	v.string("must be a string"),
	v.minLength(1, "must not be empty"),
	v.maxLength(512, "must be at most 512 characters"),
);

const FeedbackFields = objectOf(
	{
		aiGatewayLogId: LogIdSchema,
		token: TokenSchema,
		feedback: v.picklist(VOTES, `must be ${inWords(VOTES.map((vote) => `'${vote}'`))}`),
		score: optionalField(
			v.pipe(
				v.number("must be a number"),
				v.integer("must be an integer"),
				v.minValue(SCORE_RANGE.min, `must be at least ${SCORE_RANGE.min}`),
				v.maxValue(SCORE_RANGE.max, `must be at most ${SCORE_RANGE.max}`),
			),
		),
		// Counted in Unicode code points, as the chat page counts it: an emoji is one character.
		comment: optionalField(
			v.pipe(
				v.string("must be a string"),
				v.maxCodePoints(
					LIMITS.commentChars,
					`must be at most ${LIMITS.commentChars} characters; shorten it`,
				),
			),
		),
		/** The answer the user expected: stored with the vote, never sent to the gateway's log. */
		correction: optionalField(
			v.pipe(
				v.string("must be a string"),
				v.maxCodePoints(
					LIMITS.correctionChars,
					`must be at most ${LIMITS.correctionChars} characters; shorten it`,
				),
			),
		),
		/** Orders one user's votes on a log: a timestamp in ms; the highest wins. */
		sequence: optionalField(
			v.pipe(
				v.number("must be a number"),
				v.safeInteger("must be an integer"),
				v.minValue(0, "must be at least 0"),
				// Bounded, so a stored sequence always has a representable successor.
				v.check(
					(sequence) => sequence <= Date.now() + MAX_SEQUENCE_LEAD_MS,
					"must be a millisecond timestamp at most a day ahead of the server's clock",
				),
			),
		),
	},
	"a JSON object",
	{
		aiGatewayLogId: "send the aiGatewayLogId of the answer you rate",
		token: "send the feedbackToken that came with the answer",
		feedback: "send 'up', 'down' or 'clear'",
	},
);
type FeedbackFields = v.InferOutput<typeof FeedbackFields>;

/**
 * A vote; a withdrawal (`clear`) brings no score, comment or correction, so the store keeps
 * none; a correction comes only with a thumbs-down.
 */
export const FeedbackRequestSchema = v.pipe(
	FeedbackFields,
	v.forward(
		v.check<FeedbackFields, string>(
			({ feedback, score }) => feedback !== "clear" || score === undefined,
			WITHDRAWAL,
		),
		["score"],
	),
	v.forward(
		v.check<FeedbackFields, string>(
			({ feedback, comment }) => feedback !== "clear" || !comment,
			WITHDRAWAL,
		),
		["comment"],
	),
	v.forward(
		v.check<FeedbackFields, string>(
			({ feedback, correction }) => feedback === "down" || !correction,
			"comes only with feedback 'down': leave it out, or vote down",
		),
		["correction"],
	),
);
