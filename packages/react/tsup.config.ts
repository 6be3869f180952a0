import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Hooks and components run in client components: mark the bundle so a Next.js server component
  // can import it and render the components as client islands.
  banner: { js: "'use client';" },
  external: ['react', 'react-dom', 'react/jsx-runtime'],
});
