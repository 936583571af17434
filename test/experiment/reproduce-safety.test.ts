// `labbook reproduce` loads only experiments from the project's experiments/ folder, or the file the user names: never a file the registry names.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, runNode } from '../helpers';

let base: string;
let project: string;
let db: string;
let pwned: string;
let ran: string;
const ids: { [label: string]: number } = {};

/** A CommonJS experiment file; `onLoad` runs when the file is required, `onRun` when the experiment runs. */
function experimentFile(name: string, options: { onLoad?: string; onRun?: string } = {}): string {
  return [
    "const fs = require('node:fs');",
    options.onLoad ?? '',
    `exports.default = { name: ${JSON.stringify(name)}, description: 'test', defaults: { epochs: 1, samples: 0 },`,
    `  async run() { ${options.onRun ?? ''} return { score: 1 }; } };`,
  ].join('\n');
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'labbook-reproduce-safety-')));
  project = join(base, 'project');
  pwned = join(base, 'PWNED');
  ran = join(base, 'RAN');
  mkdirSync(join(project, 'experiments'), { recursive: true });
  mkdirSync(join(base, 'shared'));
  writeFileSync(join(project, 'package.json'), '{"name":"safety-project","private":true}\n');
  // Executing any of these is the attack: each writes the marker as soon as it is required.
  const evil = experimentFile('good', { onLoad: `fs.appendFileSync(${JSON.stringify(pwned)}, __filename + '\\n');` });
  writeFileSync(join(base, 'evil.js'), evil);
  writeFileSync(join(project, 'evil.js'), evil);
  symlinkSync(join(base, 'evil.js'), join(project, 'experiments', 'linked.js'));
  writeFileSync(join(project, 'experiments', 'good.js'), experimentFile('good'));
  writeFileSync(join(base, 'shared', 'trusted.js'), experimentFile('trusted', { onRun: `fs.writeFileSync(${JSON.stringify(ran)}, 'ran');` }));

  db = join(base, 'registry.db');
  const registry = openRegistry({ db });
  const record = (label: string, experiment: string, source?: string): void => {
    const run = registry.startRun({ experiment, config: { epochs: 1, samples: 0 }, seed: 1, tags: source ? { source } : undefined });
    run.end('finished');
    ids[label] = run.id;
  };
  record('name ../evil.js', '../evil.js');
  record('absolute name', join(base, 'evil.js'));
  record('source ../evil.js', 'good', '../evil.js');
  record('absolute source', 'good', join(base, 'evil.js'));
  record('source through a symlink', 'linked', 'experiments/linked.js');
  record('name of a symlink', 'linked');
  record('name that looks like a file', 'evil.js');
  record('source outside experiments/', 'trusted', '../shared/trusted.js');
  record('good', 'good', 'experiments/good.js');
  registry.close();
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

function reproduce(args: string[]): ReturnType<typeof runNode> {
  return runNode([CLI, 'reproduce', ...args, '--db', db, '--backend', 'cpu', '--quiet'], { cwd: project });
}

describe('labbook reproduce never loads a file the registry names', () => {
  it.each([
    ['name ../evil.js', /records experiment `\.\.\/evil\.js`.*not a plain experiment name/],
    ['absolute name', /records experiment `\/.*evil\.js`.*not a plain experiment name/],
    ['source ../evil.js', /source `\.\.\/evil\.js`.*outside the project's experiments folder/],
    ['absolute source', /source `\/.*evil\.js`.*outside the project's experiments folder/],
    ['source through a symlink', /source `experiments\/linked\.js`.*links to .*evil\.js, outside the project's experiments folder/],
    ['name of a symlink', /experiments\/linked\.js.*links to .*evil\.js, outside the project's experiments folder/],
  ])('refuses a run whose %s, with one line, exit 2, and the file never runs', async (label, message) => {
    const result = await reproduce([String(ids[label])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/only loads experiments from .*experiments.*If you trust the file, pass it explicitly: labbook reproduce \d+ --experiment-file PATH/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(pwned)).toBe(false);
  });

  it('looks a plain recorded name up in experiments/ only, not as a path from the working folder', async () => {
    const result = await reproduce([String(ids['name that looks like a file'])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No experiment named `evil\.js` in .*experiments for run \d+: expected one of good\b/);
    expect(existsSync(pwned)).toBe(false);
  });

  it('refuses a run recorded from a file outside experiments/, and runs that file once the user names it', async () => {
    const refused = await reproduce([String(ids['source outside experiments/'])]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/source `\.\.\/shared\/trusted\.js`.*outside the project's experiments folder/);
    expect(existsSync(ran)).toBe(false);
    const explicit = await reproduce([String(ids['source outside experiments/']), '--experiment-file', '../shared/trusted.js', '--json']);
    expect(explicit.stderr).toBe('');
    expect(JSON.parse(explicit.stdout).rerun).toMatchObject({ experiment: 'trusted', status: 'finished' });
    expect(existsSync(ran)).toBe(true);
    expect(existsSync(pwned)).toBe(false);
  }, 60_000);

  it('still reproduces a run of an experiment in experiments/', async () => {
    const result = await reproduce([String(ids.good), '--json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).rerun).toMatchObject({ experiment: 'good', status: 'finished' });
    expect(existsSync(pwned)).toBe(false);
  }, 60_000);
});
