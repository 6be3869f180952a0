/**
 * The quadratic scan extractJson used before issue 10: restart a bracket-matching scan at every
 * `{`/`[`. Kept as the specification the linear version is property-tested against.
 */
export function naiveFirstBalanced(text: string): string | undefined {
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
