import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source through the `@ballast/source`
// export condition, so no package has to be built before the suite runs.
export default defineConfig({
  resolve: { conditions: ['@ballast/source'] },
  ssr: { resolve: { conditions: ['@ballast/source'], externalConditions: ['@ballast/source'] } },
  test: {
    // `.test.tsx` files are React tests: each names its environment in a `@vitest-environment jsdom`
    // docblock, so jsdom is loaded only for them and every other file keeps the fast node environment.
    include: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx', 'examples/*/src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'threads',
  },
});
