import { describe, expect, it } from 'vitest';
import { createWriteBuffer } from './write-buffer';

describe('write buffer (flush policy)', () => {
  it('writes a batch as soon as it is full, and the rest on flush', async () => {
    const batches: number[][] = [];
    const buffer = createWriteBuffer<number>({
      batchSize: 3,
      flushIntervalMs: 3_600_000,
      maxBuffered: 100,
      write: async (batch) => {
        batches.push(batch);
      },
    });
    for (let index = 1; index <= 7; index++) buffer.add(index);
    await buffer.flush();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(buffer.stats()).toEqual({ buffered: 0, written: 7, dropped: 0, failedWrites: 0 });
  });

  it('writes a partial batch after the interval (waiting for the write, not for time)', async () => {
    let resolveWrite: (batch: number[]) => void = () => {};
    const written = new Promise<number[]>((resolve) => {
      resolveWrite = resolve;
    });
    const buffer = createWriteBuffer<number>({
      batchSize: 100,
      flushIntervalMs: 1,
      maxBuffered: 100,
      write: async (batch) => resolveWrite(batch),
    });
    buffer.add(42);
    expect(await written).toEqual([42]);
  });

  it('keeps a failed batch for the next attempt and stays bounded while the database fails', async () => {
    let failing = true;
    const batches: number[][] = [];
    const errors: unknown[] = [];
    const buffer = createWriteBuffer<number>({
      batchSize: 2,
      flushIntervalMs: 3_600_000,
      maxBuffered: 5,
      write: async (batch) => {
        if (failing) throw new Error('database down');
        batches.push(batch);
      },
      onError: (error) => errors.push(error),
    });
    for (let index = 1; index <= 8; index++) buffer.add(index);
    await expect(buffer.flush()).rejects.toThrow('database down');
    expect(buffer.stats().buffered).toBe(5);
    expect(buffer.stats().dropped).toBe(3);
    failing = false;
    await buffer.flush();
    expect(batches.flat()).toEqual([4, 5, 6, 7, 8]);
    expect(errors.length).toBeGreaterThan(0);
    await buffer.close();
    expect(() => buffer.add(9)).toThrow(/closed/);
  });
});
