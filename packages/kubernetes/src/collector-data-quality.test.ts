import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CollectorError } from '@ballast/core';
import {
  createStaticWorkload,
  type FakeKubernetes,
  kubeConfigYaml,
  startFakeKubernetes,
} from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { shopWeb } from './__fixtures__/shop';
import { collectWorkloadSnapshot } from './collector';

let fake: FakeKubernetes | undefined;
let proxy: Server | undefined;

afterEach(async () => {
  await fake?.close();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  fake = undefined;
  proxy = undefined;
});

/** A proxy in front of the fake that rewrites the JSON of matching responses. */
async function rewritingProxy(
  target: string,
  rewrite: (path: string, json: Record<string, unknown>) => void,
) {
  proxy = createServer((incoming, response) => {
    void (async () => {
      const upstream = await fetch(`${target}${incoming.url}`, {
        method: incoming.method ?? 'GET',
        headers: { authorization: String(incoming.headers.authorization ?? '') },
      });
      const json = (await upstream.json()) as Record<string, unknown>;
      rewrite(new URL(incoming.url ?? '/', target).pathname, json);
      response.writeHead(upstream.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    })();
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe('collectWorkloadSnapshot never turns missing data into zero (issue 10)', () => {
  it('leaves a metrics sample without cpu out (pod without metrics, with a warning) instead of 0 cores', async () => {
    const { deployment, hpa, pods, podMetrics } = shopWeb();
    const first = podMetrics[0]!;
    for (const container of first.containers) delete (container.usage as Record<string, string>).cpu;
    fake = await startFakeKubernetes({
      workloads: [createStaticWorkload({ deployment, hpa, pods, podMetrics })],
    });
    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: fake.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
    });
    const name = first.metadata.name;
    expect(snapshot.podMetrics.map((sample) => sample.pod)).not.toContain(name);
    expect(snapshot.podMetrics.every((sample) => sample.cpuCores > 0)).toBe(true);
    expect(snapshot.state.podsWithoutMetrics).toContain(name);
    expect(snapshot.pods?.find((pod) => pod.name === name)?.hasMetrics).toBe(false);
    expect(snapshot.state.warnings).toContain(
      `pod "${name}": metrics sample lacks cpu or memory for container(s) "app", "envoy"; usage unknown, sample ignored`,
    );
  });

  it('leaves a metrics sample without a timestamp out instead of dating it 1970', async () => {
    const { deployment, hpa, pods, podMetrics } = shopWeb();
    const first = podMetrics[0]!;
    delete (first as { timestamp?: string }).timestamp;
    fake = await startFakeKubernetes({
      workloads: [createStaticWorkload({ deployment, hpa, pods, podMetrics })],
    });
    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: fake.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
    });
    const name = first.metadata.name;
    expect(snapshot.podMetrics.map((sample) => sample.pod)).not.toContain(name);
    expect(snapshot.podMetrics.every((sample) => sample.timestamp > 0)).toBe(true);
    expect(snapshot.state.warnings).toContain(
      `pod "${name}": metrics sample has no valid timestamp or window; sample ignored`,
    );
  });

  it.each([
    ['pods', /\/api\/v1\/namespaces\/shop\/pods$/, 'PodList'],
    ['HPAs', /horizontalpodautoscalers$/, 'HorizontalPodAutoscalerList'],
    ['pod metrics', /metrics\.k8s\.io\/v1beta1\/namespaces\/shop\/pods$/, 'PodMetricsList'],
  ])('turns a %s list with items: null into a CollectorError, not a TypeError', async (_, path, kind) => {
    const { deployment, hpa, pods, podMetrics } = shopWeb();
    fake = await startFakeKubernetes({
      workloads: [createStaticWorkload({ deployment, hpa, pods, podMetrics })],
    });
    const url = await rewritingProxy(fake.url, (requestPath, json) => {
      if (path.test(requestPath)) json.items = null;
    });
    const error = await collectWorkloadSnapshot({
      kubeConfig: kubeConfigYaml(url, fake.token, 'shop'),
      namespace: 'shop',
      deployment: 'web',
    }).catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ source: 'kubernetes' });
    expect((error as Error).message).toMatch(
      kind === 'PodMetricsList' ? /PodMetricsList/ : new RegExp(`${kind} without an items array`),
    );
  });
});
