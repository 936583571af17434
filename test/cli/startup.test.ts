import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, runNode, tempDb } from '../helpers';

/** Packages a read command has no use for, and that cost a second or more to load. */
const HEAVY = ['@tensorflow/tfjs', 'danfojs-node', 'zeromq', 'plotly.js-dist', 'hono', '@hono/node-server', 'prom-client'];

/**
 * Runs each command line, in order, in one real node process through the CLI's main(), and
 * returns the heavy packages each had loaded by the time it ended.
 */
async function heavyLoadedBy(commands: string[][]): Promise<{ [command: string]: string[] }> {
  const script = `
    const { main } = require(${JSON.stringify(CLI)});
    const heavy = ${JSON.stringify(HEAVY)};
    const loaded = () => heavy.filter((p) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + p + '/')));
    (async () => {
      const out = {};
      for (const argv of ${JSON.stringify(commands)}) {
        await main(argv).catch((e) => { out['error ' + argv.join(' ')] = String(e && e.message); });
        out[argv.join(' ')] = loaded();
      }
      process.stderr.write('LOADED ' + JSON.stringify(out) + '\\n');
    })();`;
  const result = await runNode(['-e', script]);
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`the child printed no result (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(line.slice('LOADED '.length));
}

describe('CLI start-up', () => {
  it('runs, show, sql, diff, export, gc, tag, delete and --help load no tfjs, danfo, zeromq, plotly or the server (hono, prom-client)', async () => {
    const db = tempDb();
    const registry = openRegistry({ db, create: true });
    for (const seed of [1, 2]) {
      const run = registry.startRun({ experiment: 'startup', config: { lr: 0.1 * seed }, seed });
      run.log({ loss: 1 / seed }, 0);
      run.end();
    }
    registry.close();
    const commands = [
      ['--help'],
      ['runs', '--help'],
      ['runs', '--db', db],
      ['runs', '--db', db, '--where', 'metrics.loss < 2', '--json'],
      ['show', '1', '--db', db],
      ['sql', 'SELECT COUNT(*) FROM runs', '--db', db],
      ['diff', '1', '2', '--db', db],
      ['export', '--format', 'csv', '-o', join(db, '..', 'runs.csv'), '--db', db],
      ['gc', '--dry-run', '--db', db],
      ['tag', '1', 'reviewed=yes', '--db', db],
      ['delete', '2', '--db', db],
    ];
    const loaded = await heavyLoadedBy(commands);
    const errors = Object.keys(loaded).filter((k) => k.startsWith('error '));
    expect(errors.map((k) => `${k}: ${loaded[k]}`)).toEqual([]);
    for (const argv of commands) expect({ command: argv.join(' '), loaded: loaded[argv.join(' ')] }).toEqual({ command: argv.join(' '), loaded: [] });
  }, 60_000);

  it('lists each command with the summary its own module gives (the table `--help` prints from)', async () => {
    const script = `
      const { COMMAND_TABLE } = require(${JSON.stringify(CLI)});
      const rows = COMMAND_TABLE.map((e) => { const c = e.load(); return [e.name, c.name, e.summary, c.summary]; });
      process.stdout.write(JSON.stringify(rows));
      process.exit(0);`;
    const result = await runNode(['-e', script]);
    const rows = JSON.parse(result.stdout) as [string, string, string, string][];
    expect(rows.length).toBeGreaterThan(10);
    // A summary changed in the command's module must be changed in cli/main.ts's table too.
    for (const [name, loadedName, inTable, inModule] of rows) expect({ name, loadedName, summary: inTable }).toEqual({ name, loadedName: name, summary: inModule });
  }, 60_000);
});
