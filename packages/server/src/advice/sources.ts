import { CollectorError } from '@ballast/core';
import { collectWorkloadSnapshot, type KubeConfigInput } from '@ballast/kubernetes';
import { collectCluster, executeMigrations, type ProxmoxClient } from '@ballast/proxmox';
import type { MigrationAdviceSource, MigrationExecutor, ScalingAdviceSource } from './advice-routes';

/**
 * Migration advice over a live Proxmox VE cluster: each request collects a fresh snapshot for
 * the asked period with `@ballast/proxmox`'s collector.
 *
 * @example
 * ```ts
 * const migrations = proxmoxMigrationSource(createProxmoxClient({ baseUrl, tokenId, tokenSecret }));
 * createGateway({ targets, migrations });
 * ```
 */
export function proxmoxMigrationSource(client: ProxmoxClient): MigrationAdviceSource {
  return {
    snapshot: async ({ period, signal }) => (await collectCluster(client, { period, signal })).snapshot,
  };
}

/**
 * Autoscaling advice over Kubernetes clusters by name: each request collects the deployment, its
 * HPA and pod metrics with `@ballast/kubernetes`'s collector. A missing deployment is a 404.
 *
 * @example
 * ```ts
 * const scaling = kubernetesScalingSource({ prod: readFileSync('prod.kubeconfig', 'utf8') });
 * ```
 */
export function kubernetesScalingSource(clusters: Record<string, KubeConfigInput>): ScalingAdviceSource {
  return {
    async workload({ cluster, namespace, deployment, signal }) {
      if (!Object.hasOwn(clusters, cluster)) return undefined;
      try {
        return await collectWorkloadSnapshot({
          kubeConfig: clusters[cluster],
          namespace,
          deployment,
          signal,
        });
      } catch (error) {
        if (CollectorError.isInstance(error) && error.statusCode === 404) return undefined;
        throw error;
      }
    },
  };
}

/**
 * Runs advised moves on a Proxmox VE cluster with `@ballast/proxmox`'s `executeMigrations`: a
 * dry run (preconditions checked, nothing moved) unless `apply` is true, then one move at a time,
 * stopping at the first failure.
 *
 * @example
 * ```ts
 * const client = createProxmoxClient({ baseUrl, tokenId, tokenSecret });
 * createBallastHandlers({ balancer, migrations: proxmoxMigrationSource(client), executor: proxmoxMigrationExecutor(client) });
 * ```
 */
export function proxmoxMigrationExecutor(client: ProxmoxClient): MigrationExecutor {
  return {
    execute: ({ moves, apply, signal }) =>
      executeMigrations(
        client,
        moves.map((move) => ({
          vmid: move.vmid,
          kind: move.type === 'VM' ? ('vm' as const) : ('ct' as const),
          source: move.source_node,
          target: move.target_node,
        })),
        { apply, signal, parallel: 1, stopOnFailure: true },
      ),
  };
}
