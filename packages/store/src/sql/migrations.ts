/** One versioned schema change. Versions are applied in order, each exactly once. */
export interface Migration {
  version: number;
  name: string;
  /** Statements run in one transaction. */
  statements: readonly string[];
}

/** Checks a migration list is strictly increasing from 1 without gaps (a programming error otherwise). */
export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`Migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
  });
}
