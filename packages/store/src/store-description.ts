import type { StoreBackend } from './errors/store-error';

/** What a store reports about itself (for `/healthz` and logs). Never holds credentials. */
export interface StoreDescription {
  backend: StoreBackend;
  /** File path, `postgres://host:port/db#schema`, or `process memory`. */
  location: string;
  /** Highest schema migration applied (0 for in-memory stores). */
  schemaVersion: number;
}
