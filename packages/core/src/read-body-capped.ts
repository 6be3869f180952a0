import { CollectorError, type CollectorSource } from './errors/index';

const sourceNames: Record<CollectorSource, string> = {
  proxmox: 'Proxmox',
  kubernetes: 'Kubernetes',
  avi: 'Avi',
};

/**
 * Largest infrastructure API response body read by default: 32 MiB. Proxmox's `/cluster/resources`
 * of a 10 000-guest cluster is about 5 MB, a 200-object Avi page a few MB and a metrics series a
 * few hundred KB; anything bigger is a broken or hostile server, and reading it whole would exhaust
 * memory. Collectors let hosts override it (`maxResponseBytes`).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** The parts of a fetch response {@link readBodyCapped} uses. */
export interface CappedBodySource {
  readonly headers: { get(name: string): string | null };
  /** A web stream of the body; when absent, `text()` is read and checked afterwards. */
  readonly body?: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/**
 * Reads a response body as text, refusing one over `maxBytes` with a {@link CollectorError}:
 * by `content-length` before reading, and by counting bytes while streaming (a server can lie or
 * send no length).
 *
 * @example
 * ```ts
 * const text = await readBodyCapped(response, DEFAULT_MAX_RESPONSE_BYTES, 'GET /cluster/resources', 200, 'proxmox');
 * ```
 */
export async function readBodyCapped(
  response: CappedBodySource,
  maxBytes: number,
  endpoint: string,
  statusCode: number,
  source: CollectorSource,
): Promise<string> {
  const tooLarge = (size: string) =>
    new CollectorError({
      message: `${sourceNames[source]} API ${endpoint} sent a response body of ${size}, over the limit of ${maxBytes} bytes (maxResponseBytes)`,
      source,
      endpoint,
      statusCode,
    });
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(`${declared} bytes`);
  }
  const body = response.body;
  if (body === undefined || body === null || typeof body.getReader !== 'function') {
    const text = await response.text();
    // Without a stream the text is already in memory; still refuse to parse it.
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge(`${Buffer.byteLength(text)} bytes`);
    return text;
  }
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`more than ${received} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
