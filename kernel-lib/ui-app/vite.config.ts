/**
 * Builds the browser app into kernel-lib/dist/ui-app, which `labbook ui` serves, with plotly.js
 * beside it: no CDN, everything from the package.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';

/**
 * plotly.js from plotly.js-dist (the build the notebooks embed), minified once here (10 MB -> 4.8
 * MB, ~3 s) into vendor/plotly.min.js: one plotly package for notebooks, reports and the UI.
 */
function plotly(): Plugin {
  let outDir = '';
  return {
    name: 'labbook-plotly',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const file = createRequire(import.meta.url).resolve('plotly.js-dist/plotly.js');
      const { code } = await transformWithEsbuild(readFileSync(file, 'utf8'), 'plotly.js', { minify: true, legalComments: 'eof' });
      mkdirSync(join(outDir, 'vendor'), { recursive: true });
      writeFileSync(join(outDir, 'vendor', 'plotly.min.js'), code);
    },
  };
}

export default defineConfig({
  base: '/',
  // Preact's JSX runtime through esbuild: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [plotly()],
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
