/** Builds the browser app into kernel-lib/dist/ui-app, which `labbook ui` serves (no CDN: plotly comes from the package too). */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  // Preact's JSX runtime through esbuild: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../dist/ui-app',
    emptyOutDir: true,
    target: 'es2022',
    // Sourcemaps stay out of the package; the app is small enough to read built.
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
