/**
 * Lower-cased Unicode words (letters and digits), the tokens of lexical search in every store:
 * only `[\p{L}\p{N}]` survive, so a token can be quoted into an FTS5 or `tsquery` expression
 * without any escaping.
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
