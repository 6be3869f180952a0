import { getHeapStatistics } from 'node:v8';

/**
 * Bytes of JavaScript heap one operation allocates, without `--expose-gc` or a heap profiler:
 * the growth of the used heap over short blocks of operations, median of many blocks. A block
 * during which a scavenge ran shows less growth (or a drop); blocks are kept short so most
 * blocks see none, and the median ignores the rest. Node 20 has no cumulative allocation
 * counter, so this is the cheapest honest estimate; it counts what V8 allocates on its heap
 * (objects, closures, promises), not native memory.
 *
 * @param operation One operation; resolves to the number of calls it stands for.
 * @param blocks Blocks to measure (median taken over them).
 * @param perBlock Operations per block: small, so that a block rarely spans a scavenge.
 */
export async function allocatedBytesPerCall(
  operation: () => Promise<number>,
  blocks = 400,
  perBlock = 16,
): Promise<number> {
  const perCall: number[] = [];
  for (let block = 0; block < blocks; block++) {
    const before = getHeapStatistics().used_heap_size;
    let calls = 0;
    for (let index = 0; index < perBlock; index++) calls += await operation();
    perCall.push((getHeapStatistics().used_heap_size - before) / calls);
  }
  perCall.sort((a, b) => a - b);
  return Math.round(perCall[Math.floor(perCall.length / 2)] ?? Number.NaN);
}
