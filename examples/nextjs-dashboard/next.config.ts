import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..');

// The workspace's @ballast packages resolve to their TypeScript source (what the `@ballast/source`
// export condition does for vitest and tsx), so `pnpm dev` and `pnpm build` need no package build.
const ballastSource = Object.fromEntries(
  readdirSync(join(repositoryRoot, 'packages')).map((name) => [
    `@ballast/${name}`,
    `../../packages/${name}/src/index.ts`,
  ]),
);

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: repositoryRoot, resolveAlias: ballastSource },
  // The root `tsc` (pnpm typecheck) checks this app with the repository's strict settings; a second
  // check inside `next build` would only add a minute.
  typescript: { ignoreBuildErrors: true },
};

export default config;
