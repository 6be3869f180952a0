import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source through the `@ballast/source`
// export condition, so no package has to be built before the suite runs.
export default defineConfig({
  resolve: { conditions: ['@ballast/source'] },
  ssr: { resolve: { conditions: ['@ballast/source'], externalConditions: ['@ballast/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'threads',
  },
});
