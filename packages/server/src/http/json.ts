import { z } from 'zod';
import { HttpError } from './http-error';

/** Default request body limit: 1 MiB. */
export const defaultMaxBodyBytes = 1_048_576;

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * return json({ ok: true }, { status: 201 });
 * ```
 */
export function json(
  data: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify(data), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json; charset=utf-8', ...init.headers },
  });
}

/**
 * Reads a request body as text, refusing anything over `maxBytes` (413) without buffering it all.
 */
export async function readText(request: Request, maxBytes = defaultMaxBodyBytes): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes`);
}

const jsonType = /^application\/([\w.+-]*\+)?json\b/i;
const charsetParameter = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * Whether a request's content type may carry a JSON body: none given, or a JSON media type whose
 * charset, if any, is UTF-8 (the body is decoded as UTF-8; `charset=utf-16` would be misread).
 */
export function acceptsJsonBody(type: string | undefined): boolean {
  if (type === undefined || type === '') return true;
  if (!jsonType.test(type)) return false;
  const charset = charsetParameter.exec(type)?.[1];
  return charset === undefined || /^utf-?8$/i.test(charset);
}

/**
 * Reads and validates a JSON body: 415 unless the content type is JSON, 413 over the limit,
 * 400 `invalid_json` on a syntax error, 400 `validation_failed` with every issue on a schema error.
 *
 * @example
 * ```ts
 * const body = await readJson(request, z.object({ provider: z.string() }));
 * ```
 */
export async function readJson<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  options: { maxBytes?: number; allowEmpty?: boolean } = {},
): Promise<z.output<Schema>> {
  if (!acceptsJsonBody(request.headers.get('content-type') ?? undefined))
    throw new HttpError(415, 'unsupported_media_type', 'The request body must be application/json');
  const text = await readText(request, options.maxBytes);
  let value: unknown;
  if (text.trim() === '' && options.allowEmpty) value = {};
  else {
    try {
      value = JSON.parse(text);
    } catch {
      // The parser's message quotes the input, which may hold a secret: report no text.
      throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
    }
  }
  return parseWith(schema, value, 'body');
}

/**
 * Validates a value (a parsed body, query parameters) with a zod schema; 400 with every issue.
 */
export function parseWith<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const unknownKeys = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys : [],
  );
  if (unknownKeys.length)
    throw new HttpError(
      400,
      'unsupported_parameter',
      `Unsupported ${where} parameter${unknownKeys.length > 1 ? 's' : ''}: ${unknownKeys.join(', ')}`,
      { issues },
    );
  throw new HttpError(
    400,
    'validation_failed',
    `Invalid ${where}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    { issues },
  );
}

/**
 * Query parameters as a plain object. A parameter given twice (`?hours=1&hours=2`) is a 400
 * `bad_request`: which one was meant is not ours to guess.
 */
export function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (Object.hasOwn(query, name))
      throw new HttpError(
        400,
        'bad_request',
        `Query parameter "${name.slice(0, 64)}" is given more than once: give it once`,
      );
    query[name] = value;
  }
  return query;
}

/**
 * A number in a query string, checked by `inner`: an empty value (`?maxCost=`) is refused
 * ("expected a number") instead of being read as 0, as `z.coerce.number()` would.
 *
 * @example
 * ```ts
 * z.object({ hours: queryNumber(z.number().positive()).default(24) });
 * ```
 */
export function queryNumber(inner: z.ZodNumber) {
  return z.string().trim().min(1, 'expected a number, got an empty value').transform(Number).pipe(inner);
}
