import { defineConfig } from 'vite';

// Dev server forwards API and socket.io calls to the Python server.
const backend = process.env.ECABINET_BACKEND || 'http://127.0.0.1:8080';

// JSX for Preact. Vite 8 transforms with Oxc; this is the equivalent of
// esbuild's { jsx: 'automatic', jsxImportSource: 'preact' }. The dev-server
// dependency scanner needs the same setting.
const jsx = { runtime: 'automatic', importSource: 'preact' };

export default defineConfig({
  oxc: { jsx },
  optimizeDeps: { rolldownOptions: { transform: { jsx } } },
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
