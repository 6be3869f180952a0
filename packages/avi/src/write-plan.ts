import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type AviRisk, BallastError } from '@ballast/core';

/** HTTP methods of an Avi write. */
export type AviWriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One change to the controller, exactly as it would be sent: method, path under `/api`, body,
 * tenant. A plan is shown to a person (with `diff`, `risk` and `summary`) before it can run.
 *
 * @example
 * ```ts
 * const plan: AviWritePlan = {
 *   method: 'POST', path: '/api/virtualservice/virtualservice-1/scaleout', body: { vip_id: '0' },
 *   risk: 'medium', summary: 'Scale vs-shop out to one more service engine',
 * };
 * ```
 */
export interface AviWritePlan {
  method: AviWriteMethod;
  /** Path starting with `/api/`. */
  path: string;
  body?: unknown;
  /** Tenant the call runs in (the client's default when absent). */
  tenant?: string;
  /** What changes, field by field, against the object as read now (`{ 'servers[2].enabled': { from: true, to: false } }`). */
  diff?: Record<string, { from: unknown; to: unknown }>;
  risk: AviRisk;
  summary: string;
}

/**
 * Why a confirmation was refused:
 * - `invalid_token`: no plan was issued with this token (or it was mistyped);
 * - `token_used`: the plan already ran (tokens are single-use);
 * - `token_expired`: the plan is older than the ledger's `ttlMs`;
 * - `plan_changed`: the stored plan no longer hashes to what the token was bound to.
 */
export type AviConfirmationFailure = 'invalid_token' | 'token_used' | 'token_expired' | 'plan_changed';

const confirmationMarker = Symbol.for('ballast.error.avi-confirmation');

/**
 * A write was not confirmed: the token is unknown, used, expired, or bound to another plan.
 * Nothing was sent to the controller.
 *
 * @example
 * ```ts
 * try { await agent.confirm(token); } catch (error) { if (AviConfirmationError.isInstance(error)) console.log(error.reason); }
 * ```
 */
export class AviConfirmationError extends BallastError {
  private readonly [confirmationMarker] = true;
  readonly reason: AviConfirmationFailure;

  constructor(reason: AviConfirmationFailure, message: string) {
    super({ message, code: 'validation_failed' });
    this.name = 'AviConfirmationError';
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is AviConfirmationError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[confirmationMarker] === true
    );
  }
}

/**
 * A plan that passed {@link WriteLedger.confirm}: the only input `AviClient.execute` accepts.
 * Instances cannot be made any other way (the client checks a module-private registry).
 */
export interface ConfirmedAviWrite {
  readonly plan: Readonly<AviWritePlan>;
  /** sha256 of method, path, tenant and body: what the token was bound to. */
  readonly planHash: string;
}

const confirmedWrites = new WeakSet<object>();

/** @internal True when `value` came from a ledger's `confirm` (and has not been forged). */
export function isConfirmedWrite(value: unknown): value is ConfirmedAviWrite {
  return typeof value === 'object' && value !== null && confirmedWrites.has(value);
}

/**
 * The hash a confirm token is bound to: method, path, tenant and the body in canonical JSON (keys
 * sorted), so any change to what would be sent gives another hash.
 *
 * @example
 * ```ts
 * hashWritePlan({ method: 'DELETE', path: '/api/pool/pool-1', risk: 'high', summary: '' }).length; // 64
 * ```
 */
export function hashWritePlan(plan: Pick<AviWritePlan, 'method' | 'path' | 'body' | 'tenant'>): string {
  return createHash('sha256')
    .update(`${plan.method}\n${plan.path}\n${plan.tenant ?? ''}\n${canonicalJson(plan.body ?? null)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** A plan waiting for confirmation, as returned by {@link WriteLedger.propose}. */
export interface PendingAviWrite {
  /** Single-use, unguessable (256 bits), bound to `planHash`. */
  token: string;
  plan: Readonly<AviWritePlan>;
  planHash: string;
  /** Epoch ms after which the token is refused. */
  expiresAt: number;
}

/** Options of {@link createWriteLedger}. */
export interface WriteLedgerOptions {
  /** How long a plan can be confirmed. Default 10 minutes. */
  ttlMs?: number;
  /** Clock (tests). */
  now?: () => number;
  /** Pending plans kept at most (oldest dropped). Default 1 000. */
  maxPending?: number;
}

/**
 * Issues and redeems confirm tokens. `propose` freezes a plan and returns a token bound to its
 * hash; `confirm` returns a {@link ConfirmedAviWrite} once, and only if the token is known, unused,
 * unexpired and the plan still hashes the same.
 */
export interface WriteLedger {
  propose(plan: AviWritePlan): PendingAviWrite;
  confirm(token: string): ConfirmedAviWrite;
  /** A pending plan, for showing it again. */
  pending(token: string): PendingAviWrite | undefined;
}

/**
 * Creates a {@link WriteLedger}.
 *
 * @example
 * ```ts
 * const ledger = createWriteLedger();
 * const { token } = ledger.propose({ method: 'DELETE', path: '/api/pool/pool-1', risk: 'high', summary: 'Delete pool web' });
 * await client.execute(ledger.confirm(token));
 * ```
 */
export function createWriteLedger(options: WriteLedgerOptions = {}): WriteLedger {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const maxPending = options.maxPending ?? 1_000;
  const pendingByToken = new Map<string, PendingAviWrite>();
  // Used tokens are remembered (bounded) so a replay says `token_used`, not `invalid_token`.
  const usedTokens = new Set<string>();

  const lookup = (token: string): PendingAviWrite | undefined => {
    for (const [known, pending] of pendingByToken) if (sameToken(known, token)) return pending;
    return undefined;
  };

  return {
    propose(plan) {
      const frozen = Object.freeze(structuredClone(plan));
      const pending: PendingAviWrite = {
        token: randomBytes(32).toString('base64url'),
        plan: frozen,
        planHash: hashWritePlan(frozen),
        expiresAt: now() + ttlMs,
      };
      pendingByToken.set(pending.token, pending);
      while (pendingByToken.size > maxPending) pendingByToken.delete(pendingByToken.keys().next().value!);
      return pending;
    },
    confirm(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 200)
        throw new AviConfirmationError('invalid_token', 'No write plan was issued with this token');
      if ([...usedTokens].some((used) => sameToken(used, token)))
        throw new AviConfirmationError(
          'token_used',
          'This write plan was already confirmed; tokens are single-use',
        );
      const pending = lookup(token);
      if (pending === undefined)
        throw new AviConfirmationError('invalid_token', 'No write plan was issued with this token');
      pendingByToken.delete(pending.token);
      usedTokens.add(pending.token);
      if (usedTokens.size > maxPending) usedTokens.delete(usedTokens.values().next().value!);
      if (now() > pending.expiresAt)
        throw new AviConfirmationError('token_expired', 'This write plan expired; ask for a new plan');
      if (hashWritePlan(pending.plan) !== pending.planHash)
        throw new AviConfirmationError(
          'plan_changed',
          'The plan changed after it was shown; ask for a new plan',
        );
      const confirmed: ConfirmedAviWrite = Object.freeze({ plan: pending.plan, planHash: pending.planHash });
      confirmedWrites.add(confirmed);
      return confirmed;
    },
    pending: (token) => {
      const pending = lookup(token);
      return pending === undefined || now() > pending.expiresAt ? undefined : pending;
    },
  };
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
