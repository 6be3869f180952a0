import type { ClusterSnapshot } from '@ballast/core';

/**
 * Replaces a cluster's names with stable pseudonyms before anything is sent to a model, and maps
 * the model's answer back. Built by {@link createPseudonymizer}.
 */
export interface Pseudonymizer {
  /** The snapshot with every node, guest, pool, storage, group and tag name replaced, and no endpoint. */
  readonly snapshot: ClusterSnapshot;
  /** Replaces real names inside any JSON-like value (strings in objects and arrays, deeply). */
  hide<T>(value: T): T;
  /** Replaces pseudonyms inside any JSON-like value with the real names. */
  reveal<T>(value: T): T;
  /** Real name → pseudonym, for display or audit; never part of a prompt. */
  readonly pseudonyms: ReadonlyMap<string, string>;
}

// Proxmox names (nodes, guests, pools, storages, tags) are DNS-like: letters, digits and `-_.+`.
// Splitting text on everything else and looking each token up in a Map keeps hiding linear in the
// text, whatever the number of names (an alternation of 5 000 names would not be).
const token = /[A-Za-z0-9_.+-]+/g;

/**
 * Builds the pseudonyms of one snapshot: nodes become `node-1…` (in name order), guest names
 * `guest-1…`, pools `pool-1…`, storages `storage-1…`, affinity groups `group-1…`, tags `tag-1…`;
 * the source endpoint (host and port) is dropped. vmids and every number stay as they are: the
 * model needs them, and they identify nothing outside the cluster.
 *
 * A name is replaced where it stands as a whole token (`pve1` in `pve1 at 92 %`, not in `pve10`),
 * so free text the planner wrote (reasoning) is covered too. Tags are replaced only as tags, since
 * a tag can be an ordinary word (`web`, `db`).
 *
 * @example
 * ```ts
 * const names = createPseudonymizer(snapshot);
 * const prompt = buildMigrationPrompt(names.snapshot, { ...options, plan: names.hide(plan) });
 * const advice = names.reveal(await askModel(prompt)); // node-2 → pve2 again
 * ```
 */
export function createPseudonymizer(snapshot: ClusterSnapshot): Pseudonymizer {
  const names = new Map<string, string>();
  const tags = new Map<string, string>();
  const assign = (table: Map<string, string>, prefix: string, values: Iterable<string | undefined>) => {
    const sorted = [...new Set([...values].filter((value): value is string => !!value))].sort();
    for (const value of sorted) if (!table.has(value)) table.set(value, `${prefix}-${table.size + 1}`);
  };
  const counted = (prefix: string, values: Iterable<string | undefined>) => {
    const table = new Map<string, string>();
    assign(table, prefix, values);
    for (const [real, pseudonym] of table) if (!names.has(real)) names.set(real, pseudonym);
  };
  counted(
    'node',
    snapshot.nodes.map((node) => node.name),
  );
  counted(
    'guest',
    snapshot.guests.map((guest) => guest.name),
  );
  counted(
    'pool',
    snapshot.guests.map((guest) => guest.pool),
  );
  counted(
    'storage',
    snapshot.storages.map((storage) => storage.id),
  );
  counted('group', [
    ...snapshot.constraints.affinityGroups.map((group) => group.name),
    ...snapshot.constraints.antiAffinityGroups.map((group) => group.name),
  ]);
  assign(
    tags,
    'tag',
    snapshot.guests.flatMap((guest) => guest.tags),
  );

  const revealed = new Map<string, string>();
  for (const [real, pseudonym] of [...names, ...tags]) revealed.set(pseudonym, real);

  const hide = <T>(value: T): T => mapStrings(value, names, tags);
  const hidden = hide({ ...snapshot, source: { kind: snapshot.source.kind } });
  return {
    snapshot: hidden,
    hide,
    reveal: <T>(value: T): T => mapStrings(value, revealed, revealed),
    pseudonyms: new Map([...names, ...tags]),
  };
}

/** Copies a JSON-like value, replacing whole tokens of every string; `tags` arrays use `tagTable`. */
function mapStrings<T>(
  value: T,
  table: ReadonlyMap<string, string>,
  tagTable: ReadonlyMap<string, string>,
): T {
  const walk = (current: unknown, key: string | undefined): unknown => {
    if (typeof current === 'string') return replaceTokens(current, table);
    if (Array.isArray(current)) {
      if (key === 'tags')
        return current.map((tag) => (typeof tag === 'string' ? (tagTable.get(tag) ?? tag) : tag));
      return current.map((item) => walk(item, undefined));
    }
    if (current instanceof Map)
      return new Map([...current].map(([k, v]) => [walk(k, undefined), walk(v, undefined)]));
    if (current !== null && typeof current === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [field, item] of Object.entries(current)) copy[field] = walk(item, field);
      return copy;
    }
    return current;
  };
  return walk(value, undefined) as T;
}

function replaceTokens(text: string, table: ReadonlyMap<string, string>): string {
  return text.replace(token, (word) => {
    const exact = table.get(word);
    if (exact !== undefined) return exact;
    // A name at the end of a sentence carries the full stop into its token (`pve1.`).
    const trimmed = word.replace(/[.]+$/, '');
    const found = trimmed === word ? undefined : table.get(trimmed);
    return found === undefined ? word : found + word.slice(trimmed.length);
  });
}
