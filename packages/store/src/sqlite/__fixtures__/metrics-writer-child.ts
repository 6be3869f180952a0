// Child process of crash-safety.test.ts: writes metrics in batches of 100 forever, printing
// "flushed <total>" after each committed batch, until the parent SIGKILLs it mid-write.
import { createSqlMetricsStore } from '../../metrics/sql-metrics-store';
import { openSqliteDatabase } from '../open-sqlite-database';

const path = process.argv[2]!;
const database = await openSqliteDatabase({ path });
const metrics = createSqlMetricsStore(database, { batchSize: 100, flushIntervalMs: 3_600_000 });
let total = 0;
for (;;) {
  for (let index = 0; index < 100; index++)
    metrics.record({
      at: Date.now(),
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'success',
      latencyMs: 100 + (index % 50),
      inputTokens: 10,
    });
  await metrics.flush();
  total += 100;
  process.stdout.write(`flushed ${total}\n`);
  // Half a batch stays buffered while the next line is read: that part may be lost.
  for (let index = 0; index < 50; index++)
    metrics.record({ at: Date.now(), provider: 'openai', model: 'gpt-4o-mini', outcome: 'failure', errorCode: 'server_error' });
  await metrics.flush();
  total += 50;
  process.stdout.write(`flushed ${total}\n`);
}
