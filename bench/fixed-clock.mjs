/**
 * A preload that stops the clocks, for repeatable instruction counts:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *     node --single-threaded --random-seed=42 --hash-seed=42 \
 *       --import ./bench/fixed-clock.mjs loop.mjs failover 20000 20000
 *
 * With a real clock, how many latency-window buckets and metric slots a run rotates through
 * depends on how fast the run went (valgrind slows it ~50×, and by how much depends on the
 * machine's load), so two runs of the same code differed by hundreds of instructions per call.
 * With `performance.now()` and `Date.now()` fixed, every run of the same code takes the same
 * path. Only for measuring: every duration reads 0 ms, and nothing that waits on these clocks
 * (rather than on timers) would ever see time pass.
 */
const fixedPerformanceNow = performance.now();
const fixedDateNow = Date.now();

performance.now = () => fixedPerformanceNow;
Date.now = () => fixedDateNow;
