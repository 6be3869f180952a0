import { findConflictingKeys, type JsonPath } from './conflicting-keys';
import { ValidationError } from './errors/validation-error';
import { DEFAULT_MAX_MODEL_TEXT_LENGTH } from './input-limits';

/** A JSON value found in model text, and what had to be mended to parse it. */
export interface ExtractedJson {
  value: unknown;
  /** Mends applied, e.g. `fenced-block`, `surrounding-prose`, `smart-quotes`, `trailing-commas`. */
  repairs: string[];
  /**
   * Present only when the JSON gives a key twice in one object with different values (see
   * {@link findConflictingKeys}): `value` holds the last of them, as `JSON.parse` keeps it, and
   * the earlier ones are lost. Callers that act on the value should refuse it.
   */
  conflictingKeys?: JsonPath[];
}

/** Options of {@link extractJson} and {@link safeExtractJson}. */
export interface ExtractJsonOptions {
  /**
   * Longest text accepted, in characters. Default {@link DEFAULT_MAX_MODEL_TEXT_LENGTH}. Longer
   * text fails with a {@link ValidationError} (issue code `input_too_large`) before any parsing.
   */
  maxLength?: number | undefined;
}

/**
 * Finds the JSON a model meant in its raw text: a bare value, a fenced ```json block, or the first
 * balanced object/array inside prose; mends smart quotes and trailing commas. Throws a
 * {@link ValidationError} (issue code `no_json`) when there is none: it never invents a value, and
 * (issue code `input_too_large`) when the text is longer than `options.maxLength`.
 *
 * Runs in time linear in the text's length, so a hostile answer cannot block the event loop.
 *
 * @example
 * ```ts
 * extractJson('Here you go:\n```json\n{"moves": [],}\n```').value; // { moves: [] }
 * ```
 */
export function extractJson(text: string, options: ExtractJsonOptions = {}): ExtractedJson {
  const result = safeExtractJson(text, options);
  if (!result.ok) throw result.error;
  const { ok: _ok, ...extracted } = result;
  return extracted;
}

/** Like {@link extractJson}, returning `{ ok: false, error }` instead of throwing. */
export function safeExtractJson(
  text: string,
  options: ExtractJsonOptions = {},
): ({ ok: true } & ExtractedJson) | { ok: false; error: ValidationError } {
  if (typeof text !== 'string') {
    return { ok: false, error: noJson('expected model text (a string)', text) };
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_MODEL_TEXT_LENGTH;
  if (text.length > maxLength) return { ok: false, error: tooLarge(text, maxLength) };
  const candidates: Array<{ text: string; repairs: string[] }> = [{ text: text.trim(), repairs: [] }];
  for (const block of fencedBlocks(text)) candidates.push({ text: block, repairs: ['fenced-block'] });
  const balanced = firstBalanced(text);
  if (balanced !== undefined && balanced !== text.trim()) {
    candidates.push({ text: balanced, repairs: ['surrounding-prose'] });
  }
  for (const candidate of candidates) {
    const parsed = tryParse(candidate.text);
    if (parsed.ok) return found(candidate.text, parsed.value, candidate.repairs);
  }
  // Second pass, mending typographic quotes and trailing commas. Fenced blocks and balanced spans
  // go first: they say more precisely where the JSON was.
  for (const candidate of [...candidates.slice(1), candidates[0]!]) {
    const mended = mend(candidate.text);
    if (mended.repairs.length === 0) continue;
    const span = firstBalanced(mended.text) ?? mended.text;
    const parsed = tryParse(span);
    if (!parsed.ok) continue;
    const prose = span !== mended.text.trim() && candidate.repairs.length === 0 ? ['surrounding-prose'] : [];
    return found(span, parsed.value, [...candidate.repairs, ...prose, ...mended.repairs]);
  }
  return { ok: false, error: noJson('no JSON object or array found in the model output', text) };
}

function found(text: string, value: unknown, repairs: string[]): { ok: true } & ExtractedJson {
  const conflictingKeys = findConflictingKeys(text);
  return conflictingKeys.length === 0
    ? { ok: true, value, repairs }
    : { ok: true, value, repairs, conflictingKeys };
}

function noJson(message: string, text: unknown): ValidationError {
  return new ValidationError({
    message: `Could not extract JSON: ${message}`,
    issues: [{ path: '(root)', message, code: 'no_json' }],
    value: typeof text === 'string' ? text.slice(0, 500) : undefined,
  });
}

function tooLarge(text: string, maxLength: number): ValidationError {
  const message = `model text is ${text.length} characters, over the limit of ${maxLength}`;
  return new ValidationError({
    message: `Could not extract JSON: ${message}`,
    issues: [{ path: '(root)', message, code: 'input_too_large' }],
    value: text.slice(0, 500),
  });
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text) return { ok: false };
  const first = text[0];
  // Only objects and arrays count: a model answer of `42` or `"yes"` is not structured output.
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const fence = /```[a-zA-Z0-9_-]*[^\S\n]*\n?([\s\S]*?)```/g;
  for (const match of text.matchAll(fence)) {
    const body = match[1]?.trim();
    if (body) blocks.push(body);
  }
  return blocks;
}

/**
 * How many quote alignments {@link firstBalanced} tries. Each costs one linear pass; real model
 * output needs one (two when prose before the JSON has an odd number of quotes).
 */
const maxQuoteAlignments = 8;

/**
 * The first `{...}` or `[...]` whose brackets balance, ignoring brackets inside strings: the span
 * a scan from each opening bracket in turn would find, computed in linear time.
 *
 * A naive scan restarts at every `{`/`[`, which is quadratic (20 KB of `[` took seconds and blocked
 * the event loop). Here one pass simulates the scans of every opening bracket that the pass sees
 * outside a string: their stacks are suffixes of one shared stack, a matching close ends the scan
 * of the bracket it pops, and a mismatched close ends every scan still open. Brackets that sit
 * inside a string in that pass (an odd quote in prose before the JSON shifts what counts as a
 * string) get another pass starting at them, at most {@link maxQuoteAlignments} passes in all.
 *
 * @internal Exported for the property test against the naive scan.
 */
export function firstBalanced(text: string): string | undefined {
  const decided = new Uint8Array(text.length);
  let best: { start: number; end: number } | undefined;
  let from = nextUndecidedOpener(text, decided, 0);
  for (let pass = 0; pass < maxQuoteAlignments && from !== undefined; pass++) {
    if (best !== undefined && from >= best.start) break;
    const found = scanFrom(text, from, decided, best?.start ?? text.length);
    if (found !== undefined && (best === undefined || found.start < best.start)) best = found;
    from = nextUndecidedOpener(text, decided, from + 1);
  }
  return best === undefined ? undefined : text.slice(best.start, best.end + 1);
}

function nextUndecidedOpener(text: string, decided: Uint8Array, from: number): number | undefined {
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if ((char === '{' || char === '[') && decided[index] === 0) return index;
  }
  return undefined;
}

/**
 * One pass from `from`: returns the balanced span with the smallest start among the brackets it
 * sees outside strings, and marks those brackets as decided. Stops once no bracket that could
 * still beat `limit` (the best start of earlier passes) is open.
 */
function scanFrom(
  text: string,
  from: number,
  decided: Uint8Array,
  limit: number,
): { start: number; end: number } | undefined {
  const stack: number[] = [];
  let found: { start: number; end: number } | undefined;
  let inString = false;
  let quote = '';
  for (let index = from; index < text.length; index++) {
    const char = text[index]!;
    if (inString) {
      if (char === '\\') index++;
      else if (char === quote) inString = false;
      continue;
    }
    if (char === '"' || char === '\u201c' || char === '\u201d') {
      inString = true;
      quote = char === '"' ? '"' : '\u201d';
      continue;
    }
    if (char === '{' || char === '[') {
      // Nothing open and past every earlier candidate: later brackets cannot win.
      if (stack.length === 0 && (found !== undefined || index >= limit)) break;
      decided[index] = 1;
      stack.push(index);
    } else if (char === '}' || char === ']') {
      const open = stack.pop();
      if (open === undefined) continue;
      if ((text[open] === '{' ? '}' : ']') !== char) {
        // A mismatched close ends the scan of every bracket still open.
        stack.length = 0;
        if (found !== undefined) break;
        continue;
      }
      if (found === undefined || open < found.start) found = { start: open, end: index };
      if (stack.length === 0) break;
    }
  }
  return found;
}

function mend(text: string): { text: string; repairs: string[] } {
  const repairs: string[] = [];
  let result = text;
  if (/[\u201c\u201d\u2018\u2019]/.test(result)) {
    result = result.replace(/[\u201c\u201d]/g, '"').replace(/[\u2018\u2019]/g, "'");
    repairs.push('smart-quotes');
  }
  const withoutTrailing = result.replace(/,(\s*[}\]])/g, '$1');
  if (withoutTrailing !== result) {
    result = withoutTrailing;
    repairs.push('trailing-commas');
  }
  return { text: result, repairs };
}
