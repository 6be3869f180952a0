/** RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** One RFC 6902 operation. */
interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove' | 'test' | 'copy' | 'move';
  path: string;
  value?: unknown;
  from?: string;
}

/** RFC 6902 JSON patch (`add`, `replace`, `remove`, `test`). Throws on a bad pointer or failed test. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new Error('a JSON patch must be an array of operations');
  let document = structuredClone(target);
  for (const operation of operations as JsonPatchOperation[]) {
    const tokens = parsePointer(operation.path);
    if (operation.op === 'test') {
      if (JSON.stringify(get(document, tokens)) !== JSON.stringify(operation.value)) {
        throw new Error(`test failed at ${operation.path}`);
      }
      continue;
    }
    if (tokens.length === 0) {
      if (operation.op === 'remove') throw new Error('cannot remove the document root');
      document = structuredClone(operation.value);
      continue;
    }
    const parent = get(document, tokens.slice(0, -1));
    const last = tokens[tokens.length - 1]!;
    if (typeof parent !== 'object' || parent === null) throw new Error(`no parent for ${operation.path}`);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) {
        throw new Error(`bad array index in ${operation.path}`);
      }
      if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
      else if (operation.op === 'replace') parent[index] = structuredClone(operation.value);
      else if (operation.op === 'remove') parent.splice(index, 1);
      else throw new Error(`unsupported op ${operation.op}`);
      continue;
    }
    const record = parent as Record<string, unknown>;
    if (operation.op === 'add') record[last] = structuredClone(operation.value);
    else if (operation.op === 'replace') {
      if (!Object.hasOwn(record, last)) throw new Error(`replace of missing ${operation.path}`);
      record[last] = structuredClone(operation.value);
    } else if (operation.op === 'remove') {
      if (!Object.hasOwn(record, last)) throw new Error(`remove of missing ${operation.path}`);
      delete record[last];
    } else throw new Error(`unsupported op ${operation.op}`);
  }
  return document;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`bad JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function get(document: unknown, tokens: readonly string[]): unknown {
  let current = document;
  for (const token of tokens) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
