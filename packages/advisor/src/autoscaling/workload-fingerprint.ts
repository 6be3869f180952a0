import { createHash } from 'node:crypto';
import type { WorkloadSnapshot } from '@ballast/core';

/**
 * A stable SHA-256 (hex) of the decision-relevant state of a workload: the deployment's name and
 * replica counts, its containers' requests, the HPA's spec, the pods (name, phase, readiness), and
 * each sampled pod's CPU and memory rounded to `bucketPercent` of its request. Not included:
 * `collectedAt`, sample timestamps, the history series. Two snapshots a minute apart with the same
 * pods and similar load give the same fingerprint; a scale changes it.
 *
 * @example
 * ```ts
 * workloadFingerprint(workload) === workloadFingerprint({ ...workload, collectedAt: Date.now() }); // true
 * ```
 */
export function workloadFingerprint(
  workload: WorkloadSnapshot,
  options: { bucketPercent?: number } = {},
): string {
  const bucketSize = options.bucketPercent ?? 5;
  const { deployment } = workload;
  const cpuRequest = sum(deployment.containers.map((container) => container.requests.cpuCores));
  const memoryRequest = sum(deployment.containers.map((container) => container.requests.memoryBytes));
  const bucket = (used: number, request: number | undefined) =>
    request === undefined || request <= 0 || bucketSize <= 0
      ? Math.round(used * 1000)
      : Math.round((used / request) * (100 / bucketSize));
  const canonical = JSON.stringify([
    deployment.namespace,
    deployment.name,
    deployment.replicas.desired,
    deployment.replicas.ready,
    deployment.containers
      .map((container) => [
        container.name,
        container.requests.cpuCores ?? null,
        container.requests.memoryBytes ?? null,
      ])
      .sort(compareFirst),
    workload.hpa
      ? [
          workload.hpa.spec.minReplicas,
          workload.hpa.spec.maxReplicas,
          workload.hpa.spec.metrics,
          workload.hpa.spec.behavior ?? null,
        ]
      : null,
    (workload.pods ?? []).map((pod) => [pod.name, pod.phase, pod.ready]).sort(compareFirst),
    workload.podMetrics
      .map((sample) => [
        sample.pod,
        bucket(sample.cpuCores, cpuRequest),
        bucket(sample.memoryBytes, memoryRequest),
      ])
      .sort(compareFirst),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sum(values: Array<number | undefined>): number | undefined {
  let total = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    total += value;
  }
  return values.length === 0 ? undefined : total;
}

function compareFirst(a: unknown[], b: unknown[]): number {
  const left = String(a[0]);
  const right = String(b[0]);
  return left < right ? -1 : left > right ? 1 : 0;
}
