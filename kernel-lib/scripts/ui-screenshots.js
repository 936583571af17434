#!/usr/bin/env node
// The README's screenshots of `labbook ui`: a registry made as a user makes one (real training runs
// and a real sweep through the CLI, a registered model, a failed run), the UI over it, and headless
// Chromium (Debian's, driven by playwright-core) taking 1280x800 PNGs of the runs table, a run's
// page, a comparison and a sweep into kernel-lib/docs/ui/ (runs.png, run.png, compare.png, sweep.png).
// Run after `npm run build`: node kernel-lib/scripts/ui-screenshots.js   (about a minute)
// LABBOOK_CHROMIUM points at another Chromium binary.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const DIST = join(__dirname, '..', 'dist');
const CLI = join(DIST, 'cli', 'main.js');
const OUT = join(__dirname, '..', 'docs', 'ui');
const CHROMIUM = process.env.LABBOOK_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage', '--hide-scrollbars'];
const VIEWPORT = { width: 1280, height: 800 };

function fail(message) {
  console.error(`ui-screenshots: ${message}`);
  process.exit(1);
}

/** `labbook ARGS --db DB` from the project root; its stdout. */
function cli(db, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--db', db], { cwd: ROOT, env: { ...process.env, LABBOOK_DB: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`labbook ${args.join(' ')} failed (${code}): ${err.trim()}`))));
  });
}

const idOf = (json) => JSON.parse(json).id;

/** The registry: four penguins runs over a learning-rate range, two cars runs, a 6-trial sweep, a model with an alias, a failed run. */
async function buildRegistry(db) {
  const penguins = [];
  for (const [lr, hidden] of [[0.003, 32], [0.01, 32], [0.03, 64], [0.1, 64]]) {
    penguins.push(idOf(await cli(db, ['run', 'penguins-mlp', '--set', 'epochs=15', '--set', `learningRate=${lr}`, '--set', `hidden=[${hidden}]`, '--tag', `team=${lr < 0.02 ? 'vision' : 'tabular'}`, '--quiet', '--json'])));
  }
  const cars = [];
  for (const loss of ['huber', 'mse']) cars.push(idOf(await cli(db, ['run', 'cars-regression', '--set', 'epochs=20', '--set', `loss=${loss}`, '--quiet', '--json'])));
  const sweep = idOf(await cli(db, ['sweep', 'run', 'experiments/sweeps/cars-regression.ts', '--trials', '6', '--json']));
  await cli(db, ['models', 'register', 'penguins', String(penguins[1])]);
  await cli(db, ['models', 'alias', 'penguins', 'champion', '1']);
  const { openRegistry } = require(join(DIST, 'registry'));
  const registry = openRegistry({ db });
  try {
    const failed = registry.startRun({ experiment: 'cars-regression', name: 'diverged', config: { learningRate: 10, epochs: 20 }, tags: { team: 'tabular' } });
    for (let step = 0; step < 6; step++) failed.log({ loss: 10 ** (step / 2), val_loss: 10 ** (step / 2 + 0.3) }, step);
    failed.fail(new Error('Loss became NaN at step 6: expected finite values; lower learningRate'));
  } finally {
    registry.close();
  }
  return { penguins, cars, sweep };
}

/** Polls `predicate(arg)` in the page (page.waitForFunction evaluates with eval, which the UI's CSP refuses). */
async function until(page, predicate, arg, what, timeout = 30_000) {
  const start = Date.now();
  for (;;) {
    const holds = await page.evaluate(predicate, arg).catch(() => false);
    if (holds) return;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what} on ${page.url()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const marked = (mark) => performance.getEntriesByName(mark).length > 0;
const linesDrawn = (selector) => [...document.querySelectorAll(`${selector} svg.main-svg path.js-line`)].some((p) => (p.getAttribute('d') || '').length > 0);
const present = (selector) => document.querySelector(selector) !== null;
const everyChartDrawn = (selector) => {
  const charts = [...document.querySelectorAll(selector)];
  return charts.length > 0 && charts.every((chart) => chart.querySelector('svg.main-svg path.js-line'));
};

async function main() {
  if (!existsSync(CLI)) fail(`labbook is not built: expected ${CLI}. Run \`npm run build\` first.`);
  if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM}: install Debian's chromium (\`apt-get install chromium\`, or \`npm run setup\`), or set LABBOOK_CHROMIUM.`);
  const { chromium } = require('playwright-core');
  const { startUi } = require(join(DIST, 'ui'));
  const dir = mkdtempSync(join(tmpdir(), 'labbook-ui-screenshots-'));
  let ui;
  let browser;
  try {
    const db = join(dir, 'labbook.db');
    console.log('ui-screenshots: training the runs and the sweep...');
    const { penguins, sweep } = await buildRegistry(db);
    ui = await startUi({ db, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'light' });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    mkdirSync(OUT, { recursive: true });
    // The table shows what differs and what was measured.
    const cols = ['config.learningRate', 'config.hidden', 'config.batchSize', 'metrics.loss', 'metrics.val_loss', 'metrics.test_accuracy', 'metrics.test_rmse'].join(',');
    const shots = [
      ['runs.png', `/?cols=${encodeURIComponent(cols)}`, async () => until(page, marked, 'labbook:runs-painted', 'the runs table')],
      ['run.png', `/runs/${penguins[1]}`, async () => until(page, linesDrawn, '[data-testid=metric-chart]', 'the metric charts')],
      [
        'compare.png',
        `/compare?ids=${penguins.join(',')}&keys=accuracy,loss,val_accuracy,val_loss`,
        // Its curves come first: shown once plotly has drawn every chart over the quick previews.
        async () => until(page, everyChartDrawn, '[data-testid=compare-curve]', 'the compare curves'),
      ],
      ['sweep.png', `/sweeps/${sweep}`, async () => until(page, present, '[data-testid=trial-row]', 'the trials')],
    ];
    for (const [file, path, ready] of shots) {
      await page.goto(`${ui.url}${path}`);
      await ready();
      // Charts settle (plotly's resize, fonts) before the picture.
      await page.waitForTimeout(800);
      await page.screenshot({ path: join(OUT, file) });
      console.log(`ui-screenshots: ${join('kernel-lib', 'docs', 'ui', file)} (${path})`);
    }
    if (problems.length > 0) console.error(`ui-screenshots: the pages logged errors:\n  ${problems.join('\n  ')}`);
  } finally {
    await browser?.close();
    await ui?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().catch((error) => fail(error.stack || error.message));
