import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * Write `.br` and `.gz` twins of the built scripts and styles, which the server
 * sends to browsers that accept them (`preCompressed` in src/server/console.ts):
 * the bundle crosses the wire at about a third of its size, with no compression
 * work per request. Node's zlib does it; a plugin package would add a
 * dependency for these few lines.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'mamoru-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = `${config.root}/${config.build.outDir}/assets`;
    },
    async closeBundle() {
      for (const name of await readdir(outDir)) {
        if (!/\.(js|css|svg)$/.test(name)) continue;
        const body = await readFile(`${outDir}/${name}`);
        await writeFile(
          `${outDir}/${name}.br`,
          await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        await writeFile(`${outDir}/${name}.gz`, await gzipped(body, { level: 9 }));
      }
    },
  };
}

/**
 * The console (C4) is built into `console/dist` and served by the API server at `/`
 * (src/server/console.ts). No inline script or style ends up in the HTML: the server's
 * Content-Security-Policy forbids them.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Assets are files, never data: URLs inlined into scripts or styles.
    assetsInlineLimit: 0,
    sourcemap: false,
    // One bundle (≈ 200 KB gzip, the target is ≤ 300 KB): no warning below that.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite console` for development: the API is the running server.
    proxy: { '/v1': 'http://127.0.0.1:8787', '/openapi.json': 'http://127.0.0.1:8787' },
  },
});
