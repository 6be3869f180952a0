import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The dependency policy of docs/getting-started.md ("Dependencies"), checked on every package
// (issue 10): zod is a peer dependency (one copy shared with the application's schemas), vendor
// SDKs are regular dependencies, and Ballast packages depend on each other by caret range.

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Every published package (private ones, if any, are skipped): a new package is checked too. */
const checked = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
  .map((entry) => entry.name)
  .filter(
    (directory) => !JSON.parse(readFileSync(join(packagesDir, directory, 'package.json'), 'utf8')).private,
  );
const manifests: Manifest[] = checked.map(
  (directory) => JSON.parse(readFileSync(join(packagesDir, directory, 'package.json'), 'utf8')) as Manifest,
);

describe('package dependency policy', () => {
  it.each(manifests.map((manifest) => [manifest.name, manifest] as const))(
    '%s takes zod as a peer, never as its own dependency',
    (_, manifest) => {
      expect(manifest.dependencies?.zod).toBeUndefined();
      expect(manifest.peerDependencies?.zod).toBe('^4.6.7');
      expect(manifest.devDependencies?.zod).toBeDefined();
    },
  );

  it.each(manifests.map((manifest) => [manifest.name, manifest] as const))(
    '%s depends on other Ballast packages by caret range',
    (_, manifest) => {
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        if (name.startsWith('@ballast/')) expect(range).toBe('workspace:^');
      }
    },
  );
});
