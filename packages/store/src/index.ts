/**
 * `@ballast/store`: where Ballast keeps what it must not forget.
 *
 * One interface per concern (metrics, history, memory, vectors, shared state), each with
 * in-memory, SQLite, PostgreSQL and (for shared state) Redis implementations that pass the same
 * contract suite.
 */
export const STORE_PACKAGE = '@ballast/store';
