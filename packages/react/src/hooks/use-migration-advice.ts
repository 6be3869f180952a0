import type { MigrationAdvice, MigrationExecution, MigrationMove } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { useBallastClient } from '../client/ballast-context';
import type { ActionSnapshot } from '../store/action-store';
import { useActionStore } from './use-action-store';
import { useQueryStore } from './use-query-store';

/** ProxBalance's request options, polling and the client. */
export interface MigrationAdviceOptions {
  /** Percent (default: the server's settings). */
  cpuThreshold?: number;
  memThreshold?: number;
  period?: '1h' | '6h' | '24h' | '7d';
  /** Re-evaluate every `intervalMs` (default 0: on mount and on `refresh`). */
  intervalMs?: number;
  client?: BallastClient;
}

/** What {@link useMigrationAdvice} returns. */
export interface MigrationAdviceState {
  advice: MigrationAdvice | undefined;
  error: Error | undefined;
  isLoading: boolean;
  isRefreshing: boolean;
  refresh: () => Promise<MigrationAdvice | undefined>;
  /**
   * Runs moves with `POST /api/migrations/execute`: a dry run (preconditions only, nothing moves)
   * unless `confirm` is true. The advice is reloaded after a confirmed run.
   */
  execute: (moves: MigrationMove[], options: { confirm: boolean }) => Promise<MigrationExecution | undefined>;
  /** State of the last `execute`. */
  execution: ActionSnapshot<MigrationExecution>;
  resetExecution: () => void;
}

/**
 * Migration advice for the Proxmox cluster behind the server (ProxBalance's
 * `POST /api/ai-recommendations`), and the confirm-then-apply step.
 *
 * @example
 * ```tsx
 * const { advice, execute } = useMigrationAdvice({ period: '6h' });
 * const preview = await execute([move], { confirm: false }); // dry run
 * await execute([move], { confirm: true });
 * ```
 */
export function useMigrationAdvice(options: MigrationAdviceOptions = {}): MigrationAdviceState {
  const client = useBallastClient(options.client);
  const body = {
    ...(options.cpuThreshold === undefined ? {} : { cpu_threshold: options.cpuThreshold }),
    ...(options.memThreshold === undefined ? {} : { mem_threshold: options.memThreshold }),
    ...(options.period === undefined ? {} : { analysis_period: options.period }),
  };
  const intervalMs = options.intervalMs ?? 0;
  const key = `${client.baseUrl}|${JSON.stringify(body)}|${intervalMs}`;
  const { snapshot, refresh } = useQueryStore(key, () => ({
    intervalMs,
    load: (signal) => client.request<MigrationAdvice>('/api/ai-recommendations', { body, signal }),
  }));
  const [execution, executor] = useActionStore(
    key,
    async (input: { moves: MigrationMove[]; confirm: boolean }, signal) => {
      const result = await client.request<MigrationExecution>('/api/migrations/execute', {
        body: input,
        signal,
      });
      if (input.confirm) void refresh();
      return result;
    },
  );
  return {
    advice: snapshot.data,
    error: snapshot.error,
    isLoading: snapshot.isLoading,
    isRefreshing: snapshot.isRefreshing,
    refresh,
    execute: (moves, { confirm }) => executor.run({ moves, confirm }),
    execution,
    resetExecution: executor.reset,
  };
}
