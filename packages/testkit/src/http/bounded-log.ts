/**
 * Appends to a log that keeps only the newest `capacity` entries. A fake that serves a soak of
 * 10 000 requests must not keep all of them alive; tests read the log as a plain array (oldest
 * first), so it stays one, trimmed from the front once full. `capacity` 0 keeps nothing.
 */
export function appendBounded<T>(log: T[], entry: T, capacity: number): void {
  if (capacity <= 0) {
    if (log.length > 0) log.length = 0;
    return;
  }
  log.push(entry);
  if (log.length > capacity) log.splice(0, log.length - capacity);
}
