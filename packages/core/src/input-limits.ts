/**
 * Size limits on text that Ballast parses but does not control: model answers, tool-call arguments,
 * upstream error bodies and headers. A model or a misbehaving upstream can send megabytes; parsing
 * them costs memory and time on the caller's event loop, so every parser refuses input over its
 * limit with a typed error instead of trying. Each limit can be raised per call where the parser
 * takes options.
 *
 * Limits are in UTF-16 code units (`string.length`), which is what the parsers iterate over.
 */

/**
 * Longest model answer {@link extractJson} and the validators accept: 1 000 000 characters, about
 * 250 000 tokens, well above any model's output limit. Override with `{ maxLength }`.
 */
export const DEFAULT_MAX_MODEL_TEXT_LENGTH = 1_000_000;

/** Longest tool-call arguments string {@link parseToolArguments} parses (same reasoning as model text). */
export const DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH = 1_000_000;

/**
 * Longest error body {@link apiCallErrorFromResponse} parses for hints. Error bodies are small; a
 * bigger one is kept (truncated) as text but not parsed.
 */
export const DEFAULT_MAX_ERROR_BODY_PARSE_LENGTH = 64 * 1024;

/** Longest `Retry-After` header value read; an HTTP date is 29 characters. */
export const MAX_RETRY_AFTER_HEADER_LENGTH = 64;
