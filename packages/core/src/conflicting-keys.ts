/** Where a value sits in a JSON document: object keys and array positions from the root. */
export type JsonPath = Array<string | number>;

interface Frame {
  object: boolean;
  /** Object: the value span of each key seen so far. */
  spans: Map<string, readonly [number, number]> | undefined;
  /** Object: keys already reported, so that a key given three times is reported once. */
  reported: Set<string> | undefined;
  /** Object: the key whose value comes next; array: the position of the next value. */
  key: string;
  position: number;
  expectKey: boolean;
  start: number;
}

/**
 * The keys that a JSON text gives more than once in one object with different values. `JSON.parse`
 * keeps the last of them silently, so a model answer `{"target_replicas": 3, "target_replicas": 30}`
 * reads as 30 and the 3 is lost; a key is matched after unescaping (`"target\u005freplicas"` is
 * `target_replicas`). The same value given twice is not a conflict.
 *
 * `text` must be JSON that `JSON.parse` accepts; the scan is iterative and linear in its length.
 *
 * @example
 * ```ts
 * findConflictingKeys('{"plan":[{"vmid":101,"target":"a","target":"b"}]}'); // [['plan', 0, 'target']]
 * ```
 */
export function findConflictingKeys(text: string): JsonPath[] {
  const found: JsonPath[] = [];
  const stack: Frame[] = [];
  const settle = (start: number, end: number): void => {
    const parent = stack[stack.length - 1];
    if (parent === undefined || !parent.object) return;
    const spans = parent.spans!;
    const earlier = spans.get(parent.key);
    if (earlier === undefined) {
      spans.set(parent.key, [start, end]);
      return;
    }
    if (parent.reported?.has(parent.key) || sameJson(text, earlier, start, end)) return;
    parent.reported ??= new Set();
    parent.reported.add(parent.key);
    found.push(stack.map((frame) => (frame.object ? frame.key : frame.position)));
  };
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '{' || char === '[') {
      const object = char === '{';
      stack.push({
        object,
        spans: object ? new Map() : undefined,
        reported: undefined,
        key: '',
        position: 0,
        expectKey: object,
        start: index,
      });
      index++;
    } else if (char === '}' || char === ']') {
      const frame = stack.pop();
      index++;
      if (frame !== undefined) settle(frame.start, index);
    } else if (char === ',') {
      const top = stack[stack.length - 1];
      if (top !== undefined) {
        if (top.object) top.expectKey = true;
        else top.position++;
      }
      index++;
    } else if (char === ':') {
      const top = stack[stack.length - 1];
      if (top !== undefined) top.expectKey = false;
      index++;
    } else if (char === '"') {
      const start = index;
      let escaped = false;
      index++;
      while (index < text.length && text[index] !== '"') {
        if (text[index] === '\\') {
          escaped = true;
          index++;
        }
        index++;
      }
      index++;
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        top.key = escaped ? decodeKey(text.slice(start, index)) : text.slice(start + 1, index - 1);
      } else settle(start, index);
    } else if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
    } else {
      // A number, true, false or null.
      const start = index;
      while (index < text.length && !delimiters.has(text[index]!)) index++;
      if (index === start) index++;
      settle(start, index);
    }
  }
  return found;
}

const delimiters = new Set([',', '}', ']', ' ', '\t', '\n', '\r', ':']);

function decodeKey(token: string): string {
  try {
    return String(JSON.parse(token));
  } catch {
    return token;
  }
}

function sameJson(text: string, earlier: readonly [number, number], start: number, end: number): boolean {
  const first = text.slice(earlier[0], earlier[1]);
  const second = text.slice(start, end);
  if (first === second) return true;
  try {
    return JSON.stringify(JSON.parse(first)) === JSON.stringify(JSON.parse(second));
  } catch {
    return false;
  }
}
