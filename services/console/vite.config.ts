import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The gateway serves the build at /console (same origin as the API). The dev server proxies the
// API to a running gateway: CONSOLE_GATEWAY_URL (default http://127.0.0.1:8080), on
// CONSOLE_DEV_PORT (default 5173).
const gateway = process.env['CONSOLE_GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
const port = Number(process.env['CONSOLE_DEV_PORT'] ?? 5173);

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1_000 },
  server: {
    host: '127.0.0.1',
    port,
    strictPort: true,
    // The session cookie is set by the gateway for this origin through the proxy (Path=/).
    proxy: { '/v1': { target: gateway, changeOrigin: true }, '/openapi.json': { target: gateway, changeOrigin: true } },
  },
  preview: { host: '127.0.0.1', port },
});
