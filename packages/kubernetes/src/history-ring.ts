import { type ScalingEvent, type Series, ValidationError, type WorkloadSnapshot } from '@ballast/core';

/** One entry of a {@link HistoryRing}, aligned to the ring's step. */
export interface HistorySample {
  /** Start of the step, epoch ms. */
  timestamp: number;
  /** Total CPU in use over pods with a sample, cores (absent when metrics were unavailable). */
  cpuCores?: number;
  /** Total memory in use over pods with a sample, bytes. */
  memoryBytes?: number;
  /** CPU usage in percent of the requests of the sampled pods (the HPA's utilization). */
  cpuUtilizationPercent?: number;
  /** Memory usage in percent of the requests of the sampled pods. */
  memoryUtilizationPercent?: number;
  /** `spec.replicas` of the Deployment. */
  replicas: number;
  /** Ready replicas. */
  readyReplicas: number;
}

/** Options of {@link createHistoryRing}. */
export interface HistoryRingOptions {
  /** Most samples kept; older ones are dropped. */
  capacity: number;
  /** Sample step, ms. Snapshots within one step replace each other (the latest wins). */
  stepMs: number;
}

/** A bounded, step-aligned history of workload samples. */
export interface HistoryRing {
  readonly capacity: number;
  readonly stepMs: number;
  /** Number of samples held. */
  readonly size: number;
  /** Records a snapshot; returns the sample kept, or `undefined` when it is older than the newest step. */
  push(snapshot: WorkloadSnapshot): HistorySample | undefined;
  /** Samples, oldest first. */
  samples(): HistorySample[];
  /** The `history` field of a `WorkloadSnapshot`: total CPU cores, memory bytes and replicas. */
  series(): { cpuCores: Series; memoryBytes: Series; replicas: Series };
  /** CPU and memory utilization in percent of requests, for trends. */
  utilization(): { cpuPercent: Series; memoryPercent: Series };
  /** Replica changes seen between consecutive samples (within the held window). */
  events(): ScalingEvent[];
  clear(): void;
}

/**
 * Creates a bounded history of workload samples: push each collected snapshot, read series back
 * for forecasting and trend checks. Samples are aligned to `stepMs`; a missing metric stays
 * missing (never recorded as 0).
 *
 * @throws ValidationError when `capacity` is not a positive integer or `stepMs` is below 1 ms.
 * @example
 * ```ts
 * const history = createHistoryRing({ capacity: 288, stepMs: 300_000 }); // one day of 5-minute samples
 * const snapshot = await collectWorkloadSnapshot({ namespace: 'shop', deployment: 'web', history });
 * snapshot.history.cpuCores; // the last day
 * ```
 */
export function createHistoryRing(options: HistoryRingOptions): HistoryRing {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({
      message: 'createHistoryRing needs { capacity, stepMs }',
      issues: [{ path: '(root)', message: 'options are required' }],
    });
  }
  const { capacity, stepMs } = options;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new ValidationError({
      message: `capacity must be a positive integer, got ${String(capacity)}`,
      issues: [{ path: 'capacity', message: 'must be a positive integer' }],
    });
  }
  // Below 1 ms, `collectedAt / stepMs` overflows to Infinity for a tiny step (1e-300): every
  // sample got the timestamp Infinity.
  if (typeof stepMs !== 'number' || !Number.isFinite(stepMs) || stepMs < 1) {
    throw new ValidationError({
      message: `stepMs must be a number of milliseconds ≥ 1, got ${String(stepMs)}`,
      issues: [{ path: 'stepMs', message: 'must be at least 1 (ms)' }],
    });
  }
  let buffer: HistorySample[] = [];

  const toSeries = (pick: (sample: HistorySample) => number | undefined): Series => {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (const sample of buffer) {
      const value = pick(sample);
      if (value === undefined || !Number.isFinite(value)) continue;
      timestamps.push(sample.timestamp);
      values.push(value);
    }
    return { timestamps, values };
  };

  return {
    capacity,
    stepMs,
    get size() {
      return buffer.length;
    },
    push(snapshot) {
      const at: unknown = snapshot?.collectedAt;
      if (typeof at !== 'number' || !Number.isFinite(at))
        throw new ValidationError({
          message: `A history sample needs a finite collectedAt (epoch ms), got ${String(at)}`,
          issues: [{ path: 'collectedAt', message: 'must be a finite epoch ms' }],
        });
      const timestamp = Math.floor(snapshot.collectedAt / stepMs) * stepMs;
      const last = buffer[buffer.length - 1];
      if (last && timestamp < last.timestamp) return undefined;
      const sample = sampleOf(snapshot, timestamp);
      if (last && last.timestamp === timestamp) buffer[buffer.length - 1] = sample;
      else buffer.push(sample);
      if (buffer.length > capacity) buffer = buffer.slice(buffer.length - capacity);
      return sample;
    },
    samples: () => buffer.map((sample) => ({ ...sample })),
    series: () => ({
      cpuCores: toSeries((sample) => sample.cpuCores),
      memoryBytes: toSeries((sample) => sample.memoryBytes),
      replicas: toSeries((sample) => sample.replicas),
    }),
    utilization: () => ({
      cpuPercent: toSeries((sample) => sample.cpuUtilizationPercent),
      memoryPercent: toSeries((sample) => sample.memoryUtilizationPercent),
    }),
    events() {
      const events: ScalingEvent[] = [];
      for (let index = 1; index < buffer.length; index++) {
        const previous = buffer[index - 1]!;
        const current = buffer[index]!;
        if (previous.replicas !== current.replicas) {
          events.push({
            timestamp: current.timestamp,
            fromReplicas: previous.replicas,
            toReplicas: current.replicas,
            reason: 'ObservedReplicaChange',
          });
        }
      }
      return events;
    },
    clear() {
      buffer = [];
    },
  };
}

function sampleOf(snapshot: WorkloadSnapshot, timestamp: number): HistorySample {
  const sample: HistorySample = {
    timestamp,
    replicas: snapshot.deployment.replicas.desired,
    readyReplicas: snapshot.deployment.replicas.ready,
  };
  const metricsUnavailable =
    (snapshot as { state?: { metrics?: string } }).state?.metrics === 'metrics_unavailable';
  if (metricsUnavailable || snapshot.podMetrics.length === 0) return sample;
  const cpu = snapshot.podMetrics.reduce((sum, pod) => sum + pod.cpuCores, 0);
  const memory = snapshot.podMetrics.reduce((sum, pod) => sum + pod.memoryBytes, 0);
  sample.cpuCores = Math.round(cpu * 1e9) / 1e9;
  sample.memoryBytes = memory;
  const perPod = perPodRequests(snapshot);
  const sampled = snapshot.podMetrics.length;
  if (perPod.cpuCores) sample.cpuUtilizationPercent = (100 * cpu) / (perPod.cpuCores * sampled);
  if (perPod.memoryBytes) sample.memoryUtilizationPercent = (100 * memory) / (perPod.memoryBytes * sampled);
  return sample;
}

function perPodRequests(snapshot: WorkloadSnapshot): { cpuCores?: number; memoryBytes?: number } {
  const containers = snapshot.deployment.containers;
  if (containers.length === 0) return {};
  const total = (
    pick: (amounts: {
      cpuCores?: number | undefined;
      memoryBytes?: number | undefined;
    }) => number | undefined,
  ) => {
    let sum = 0;
    for (const container of containers) {
      const value = pick(container.requests);
      if (value === undefined) return undefined;
      sum += value;
    }
    return sum;
  };
  const cpuCores = total((amounts) => amounts.cpuCores);
  const memoryBytes = total((amounts) => amounts.memoryBytes);
  return {
    ...(cpuCores === undefined ? {} : { cpuCores }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
  };
}
