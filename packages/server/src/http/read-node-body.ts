import type { IncomingMessage } from 'node:http';

/** A request body read from `node:http`: the bytes, or the news that it was over the limit. */
export type NodeBody = { kind: 'read'; bytes: Buffer } | { kind: 'too-large' };

/**
 * Reads a `node:http` request body up to `maxBytes`. Over the limit (declared or streamed), it
 * stops reading at once and reports `too-large`: the caller answers 413 and closes the connection.
 *
 * @example
 * ```ts
 * const body = await readNodeBody(incoming, 1_048_576);
 * if (body.kind === 'too-large') return reply(413);
 * ```
 */
export function readNodeBody(incoming: IncomingMessage, maxBytes: number): Promise<NodeBody> {
  const declared = Number(incoming.headers['content-length']);
  if (declared > maxBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        incoming.pause();
        resolve({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ kind: 'read', bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // The client went away before the body ended.
    const onClose = () => onError(new Error('client disconnected'));
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
