/**
 * The uuid in an Avi ref: `https://ctrl/api/pool/pool-1#web` → `pool-1`.
 *
 * @example
 * ```ts
 * refUuid('https://ctrl/api/pool/pool-1#web'); // 'pool-1'
 * ```
 */
export function refUuid(ref: string): string {
  const withoutName = ref.split('#')[0] ?? ref;
  const segments = withoutName.split('?')[0]!.replace(/\/+$/, '').split('/');
  return decodeURIComponent(segments[segments.length - 1] ?? '');
}

/**
 * The name an `include_name=true` ref carries after `#`, or `undefined`.
 *
 * @example
 * ```ts
 * refName('https://ctrl/api/pool/pool-1#web'); // 'web'
 * ```
 */
export function refName(ref: string): string | undefined {
  const index = ref.indexOf('#');
  return index < 0 ? undefined : decodeURIComponent(ref.slice(index + 1));
}
