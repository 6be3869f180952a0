import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlMetricsStore } from '../metrics/sql-metrics-store';
import { openSqliteDatabase } from './open-sqlite-database';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..', '..');
const directory = mkdtempSync(join(tmpdir(), 'ballast-crash-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('SQLite metrics survive a SIGKILL mid-write', () => {
  it('keeps every committed batch, loses at most the unflushed one, and opens clean', async () => {
    const path = join(directory, 'killed.db');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@ballast/source',
        '--import',
        'tsx',
        join(here, '__fixtures__', 'metrics-writer-child.ts'),
        path,
      ],
      {
        cwd: repositoryRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let confirmed = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      confirmed = Number(line.replace('flushed ', ''));
      // Kill while the writer is busy with its next batches (it never waits between them).
      if (confirmed >= 1_500) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    const database = await openSqliteDatabase({ path });
    const store = createSqlMetricsStore(database, { maxRawCalls: 1_000_000 });
    const [{ count }] = (await database.query('SELECT count(*) AS count FROM metric_calls')) as [
      { count: number },
    ];
    // Nothing confirmed is lost, and batches (100 or 50 calls) commit whole or not at all. (The
    // child may have committed more batches before the kill arrived: how many depends on the
    // machine's speed, so there is no upper bound here; the bench reports it.)
    expect(count).toBeGreaterThanOrEqual(confirmed);
    expect(count % 50).toBe(0);
    // Raw calls and rollups were written in the same transactions: they agree exactly.
    const report = await store.performance({ hours: 1 });
    expect(report.totals.requests).toBe(count);
    await store.close();
    await database.close();
  });
});
