/**
 * Splits a document into chunks of about `size` characters on paragraph, then sentence, then word
 * boundaries, carrying `overlap` characters over so a fact cut in two is still found.
 *
 * @example
 * ```ts
 * chunkText(longRunbook, { size: 800, overlap: 100 });
 * ```
 */
export function chunkText(text: string, options: { size?: number; overlap?: number } = {}): string[] {
  const size = Math.max(20, options.size ?? 800);
  const overlap = Math.min(Math.max(0, options.overlap ?? 100), Math.floor(size / 2));
  const clean = text.replace(/\r\n/g, '\n').trim();
  if (clean.length <= size) return clean ? [clean] : [];
  const chunks: string[] = [];
  let start = 0;
  while (start < clean.length) {
    let end = Math.min(clean.length, start + size);
    if (end < clean.length) {
      const window = clean.slice(start, end);
      const cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('. '), window.lastIndexOf(' '));
      if (cut > size / 2) end = start + cut + 1;
    }
    chunks.push(clean.slice(start, end).trim());
    if (end >= clean.length) break;
    start = Math.max(end - overlap, start + 1);
  }
  return chunks.filter(Boolean);
}
