import { ValidationError } from './errors/validation-error';

/** A JSON value found in model text, and what had to be mended to parse it. */
export interface ExtractedJson {
  value: unknown;
  /** Mends applied, e.g. `fenced-block`, `surrounding-prose`, `smart-quotes`, `trailing-commas`. */
  repairs: string[];
}

/**
 * Finds the JSON a model meant in its raw text: a bare value, a fenced ```json block, or the first
 * balanced object/array inside prose; mends smart quotes and trailing commas. Throws a
 * {@link ValidationError} (issue code `no_json`) when there is none: it never invents a value.
 *
 * @example
 * ```ts
 * extractJson('Here you go:\n```json\n{"moves": [],}\n```').value; // { moves: [] }
 * ```
 */
export function extractJson(text: string): ExtractedJson {
  const result = safeExtractJson(text);
  if (result.ok) return { value: result.value, repairs: result.repairs };
  throw result.error;
}

/** Like {@link extractJson}, returning `{ ok: false, error }` instead of throwing. */
export function safeExtractJson(
  text: string,
): { ok: true; value: unknown; repairs: string[] } | { ok: false; error: ValidationError } {
  if (typeof text !== 'string') {
    return { ok: false, error: noJson('expected model text (a string)', text) };
  }
  const candidates: Array<{ text: string; repairs: string[] }> = [{ text: text.trim(), repairs: [] }];
  for (const block of fencedBlocks(text)) candidates.push({ text: block, repairs: ['fenced-block'] });
  const balanced = firstBalanced(text);
  if (balanced !== undefined && balanced !== text.trim()) {
    candidates.push({ text: balanced, repairs: ['surrounding-prose'] });
  }
  for (const candidate of candidates) {
    const parsed = tryParse(candidate.text);
    if (parsed.ok) return { ok: true, value: parsed.value, repairs: candidate.repairs };
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
    return { ok: true, value: parsed.value, repairs: [...candidate.repairs, ...prose, ...mended.repairs] };
  }
  return { ok: false, error: noJson('no JSON object or array found in the model output', text) };
}

function noJson(message: string, text: unknown): ValidationError {
  return new ValidationError({
    message: `Could not extract JSON: ${message}`,
    issues: [{ path: '(root)', message, code: 'no_json' }],
    value: typeof text === 'string' ? text.slice(0, 500) : undefined,
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

/** The first `{...}` or `[...]` whose brackets balance, ignoring brackets inside strings. */
function firstBalanced(text: string): string | undefined {
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const end = matchingClose(text, start);
    if (end !== undefined) return text.slice(start, end + 1);
  }
  return undefined;
}

function matchingClose(text: string, start: number): number | undefined {
  const stack: string[] = [];
  let inString = false;
  let quote = '';
  for (let index = start; index < text.length; index++) {
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
    if (char === '{' || char === '[') stack.push(char === '{' ? '}' : ']');
    else if (char === '}' || char === ']') {
      if (stack.pop() !== char) return undefined;
      if (stack.length === 0) return index;
    }
  }
  return undefined;
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
