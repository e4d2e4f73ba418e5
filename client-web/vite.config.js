import { createReadStream, cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Dev server forwards API and socket.io calls to the Python server.
const backend = process.env.ECABINET_BACKEND || 'http://127.0.0.1:8080';

// JSX for Preact. Vite 8 transforms with Oxc; this is the equivalent of
// esbuild's { jsx: 'automatic', jsxImportSource: 'preact' }. The dev-server
// dependency scanner needs the same setting.
const jsx = { runtime: 'automatic', importSource: 'preact' };

// PDF.js reads character maps, the 14 standard fonts, its image decoders (wasm) and
// colour profiles at run time. They are served by us, never from a CDN, under a
// versioned folder of /assets/ (cached for a year like the hashed assets):
// /assets/pdfjs-<version>/{cmaps,standard_fonts,wasm,iccs}/ — src/pdf.js builds the same URLs.
const here = dirname(fileURLToPath(import.meta.url));
const pdfjsRoot = join(here, 'node_modules', 'pdfjs-dist');
const pdfjsVersion = JSON.parse(readFileSync(join(pdfjsRoot, 'package.json'), 'utf8')).version;
const PDFJS_DATA = ['cmaps', 'standard_fonts', 'wasm', 'iccs'];
const pdfjsPrefix = `/assets/pdfjs-${pdfjsVersion}/`;

function pdfjsData() {
  let outDir = 'dist';
  return {
    name: 'ecabinet-pdfjs-data',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url || '').split('?')[0]);
        if (!path.startsWith(pdfjsPrefix)) return next();
        const file = normalize(join(pdfjsRoot, path.slice(pdfjsPrefix.length)));
        if (!file.startsWith(pdfjsRoot) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      for (const name of PDFJS_DATA) {
        cpSync(join(pdfjsRoot, name), join(outDir, 'assets', `pdfjs-${pdfjsVersion}`, name), { recursive: true });
      }
    },
  };
}

export default defineConfig({
  oxc: { jsx },
  optimizeDeps: { rolldownOptions: { transform: { jsx } } },
  define: { __PDFJS_DATA__: JSON.stringify(pdfjsPrefix) },
  plugins: [pdfjsData()],
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // the PDF.js worker ships as .mjs; served as .js every server knows it is JavaScript
        assetFileNames: (asset) =>
          (asset.names?.[0] || '').endsWith('.mjs') ? 'assets/[name]-[hash].js' : 'assets/[name]-[hash][extname]',
      },
    },
  },
});
