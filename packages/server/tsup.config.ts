import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli/main.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // `--fake` loads the testkit only when asked: keep it out of the bundle.
  external: ['@ballast/testkit'],
  // import.meta.url in the CommonJS build (the proto file is found relative to the module).
  shims: true,
});
