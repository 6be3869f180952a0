import {
  createStaticWorkload,
  type DeploymentJson,
  type FakeWorkload,
  type HpaJson,
  type PodJson,
  type PodMetricsJson,
} from '@ballast/testkit';
import deploymentJson from './deployment.json';
import hpaJson from './hpa.json';
import podMetricsJson from './pod-metrics.json';
import podsJson from './pods.json';

/** Fresh copies of the recorded `shop/web` objects (see README.md). */
export function shopWeb() {
  return {
    deployment: structuredClone(deploymentJson) as DeploymentJson,
    hpa: structuredClone(hpaJson) as HpaJson,
    pods: structuredClone(podsJson) as PodJson[],
    podMetrics: structuredClone(podMetricsJson.items) as PodMetricsJson[],
  };
}

/** The recorded `shop/web` workload, with or without its HPA. */
export function shopWebWorkload(options: { withHpa?: boolean } = {}): FakeWorkload {
  const { deployment, hpa, pods, podMetrics } = shopWeb();
  return createStaticWorkload({ deployment, pods, podMetrics, ...(options.withHpa === false ? {} : { hpa }) });
}
