/** A four-node cluster for the migration-advice tests: pve1 hot, pve2/pve3 light, pve4 in maintenance. */
import type { ClusterSnapshot } from '@ballast/core';
import { hourly, makeCluster, T0 } from '../../__fixtures__/snapshots';

export function adviceCluster(collectedAt = T0): ClusterSnapshot {
  const snapshot = makeCluster(
    {
      pve1: { cores: 16, memGiB: 64, baseCpu: 0.5, baseMemGiB: 2 },
      pve2: { cores: 16, memGiB: 64, baseCpu: 0.5, baseMemGiB: 2 },
      pve3: { cores: 16, memGiB: 64, baseCpu: 0.5, baseMemGiB: 2 },
      pve4: { cores: 16, memGiB: 64, maintenance: true },
    },
    {
      101: { node: 'pve1', name: 'db1', cores: 8, cpu: 3.25, memGiB: 16, memUsedGiB: 12.5 },
      102: { node: 'pve1', name: 'web1', cores: 4, cpu: 2.5, memGiB: 16, memUsedGiB: 10 },
      103: { node: 'pve1', name: 'cache1', cores: 4, cpu: 1.75, memGiB: 12, memUsedGiB: 8 },
      104: { node: 'pve1', name: 'app1', cores: 2, cpu: 1.2, memGiB: 8, memUsedGiB: 6 },
      105: { node: 'pve1', name: 'locked1', cores: 2, cpu: 0.8, memGiB: 4, memUsedGiB: 3, lock: 'backup' },
      201: { node: 'pve2', name: 'ct-dns', kind: 'ct', cores: 1, cpu: 0.3, memGiB: 2, memUsedGiB: 1 },
      301: { node: 'pve3', name: 'mon1', cores: 2, cpu: 0.4, memGiB: 4, memUsedGiB: 2 },
    },
    { collectedAt },
  );
  for (const guest of snapshot.guests) if (guest.vmid === 101) guest.tags = ['prod', 'db'];
  const pve1 = snapshot.nodes.find((node) => node.name === 'pve1')!;
  pve1.series = {
    cpuCores: hourly(48, (hour) => 7 + hour * 0.05, collectedAt),
    memoryUsedBytes: hourly(48, (hour) => (30 + hour * 0.1) * 2 ** 30, collectedAt),
  };
  return snapshot;
}
