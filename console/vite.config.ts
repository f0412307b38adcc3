import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console (C4) is built into `console/dist` and served by the API server at `/`
 * (src/server/console.ts). No inline script or style ends up in the HTML: the server's
 * Content-Security-Policy forbids them.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Assets are files, never data: URLs inlined into scripts or styles.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite console` for development: the API is the running server.
    proxy: { '/v1': 'http://127.0.0.1:8787', '/openapi.json': 'http://127.0.0.1:8787' },
  },
});
