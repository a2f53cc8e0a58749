// Builds the console (web/) into dist/web, which the API process serves at `/` (src/console/serve-console.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  resolve: {
    // The console reaches the API only through the TypeScript SDK, compiled in from its source.
    alias: { '@sdk': here('../sdk/src/index.ts') },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  // `npx vite --config web/vite.config.mts` while `npm start` runs: the page reloads on edits, the API is proxied.
  server: { proxy: { '/api': process.env.KAIZEN_API_URL ?? 'http://localhost:3000' } },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts (the page's Content-Security-Policy forbids them) and no data: URLs.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    rolldownOptions: {
      // React libraries mark modules "use client" for server components; meaningless in this client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
