import { defineConfig } from 'vite';

// A static page: `npm start` serves dist/ with tools/scripts/lib/static-server.mjs.
export default defineConfig({
  root: __dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
