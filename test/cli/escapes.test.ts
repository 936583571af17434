import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, ROOT } from '../helpers';
import { labbook } from './cli-process';

/**
 * A registry written by someone hostile: names, tags, config values, params and metric keys full of
 * terminal escapes (clear screen, window title, a one-byte C1 CSI), CR/LF that forge lines, bidi
 * overrides and Unicode line separators. Text output must show them; JSON must keep them exactly.
 */
const EXPERIMENT = 'exp\x1b[2J\x1b]0;pwned\x07\u202e';
const NAME = 'nm\r\nforged line';
const CONFIG = {
  lr: -0.5,
  neg: '-0.5',
  formula: '=HYPERLINK("http://x","y")',
  plus: '+1+1',
  at: '@SUM(A1)',
  tab: '\tx',
  cr: '\rx',
  bidi: 'a\u202eb\u2066c\u2069',
  sep: 'a\u2028b\u2029c',
  c1: 'a\u009b31mb\u0085',
  del: 'a\x7fb',
  'key\x1b[31m': 'v',
};
const TAGS = { 'tag\x1b[1m': 'x\x1b[0m\u202e' };
const METRIC = 'loss\x1b[2K\r';
const ERROR = 'boom\x1b[2J\rforged';

/** What a terminal acts on; in text output only our own line breaks may be raw. */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_JSON = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'labbook-escapes-'));
  db = join(dir, 'registry.db');
  const registry = openRegistry({ db });
  const first = registry.startRun({ experiment: EXPERIMENT, name: NAME, config: CONFIG, tags: TAGS, seed: 1 });
  first.log({ [METRIC]: 1, loss: -0.25 });
  first.end('finished');
  const second = registry.startRun({ experiment: EXPERIMENT, config: { ...CONFIG, lr: 0.5, formula: '-2+3', 'key\x1b[31m': 'w' }, seed: 2 });
  second.log({ [METRIC]: 2 });
  second.fail(new Error(ERROR));
  registry.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function text(args: string[]): Promise<string> {
  const result = await labbook([...args, '--db', db]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).not.toMatch(UNSAFE_IN_TEXT);
  return result.stdout;
}

async function json(args: string[]): Promise<unknown> {
  const result = await labbook([...args, '--db', db]);
  expect(result.code).toBe(0);
  expect(result.stdout).not.toMatch(UNSAFE_IN_JSON);
  return JSON.parse(result.stdout);
}

/** RFC 4180 records (quoted fields may hold commas, quotes, CR and LF). */
function parseCsv(csv: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') field += csv[++i];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (record.push(field), (field = ''));
    else if (ch === '\n') (record.push(field), records.push(record), (record = []), (field = ''));
    else field += ch;
  }
  return records;
}

describe('text output shows control characters escaped', () => {
  it('runs', async () => {
    // Chosen columns, so no long value is cut to fit 100 columns (the default listing cuts).
    const out = await text(['runs', '--columns', 'id,experiment,name,config.`key\x1b[31m`,metrics.`loss\x1b[2K\r`']);
    expect(out).toContain('exp\\x1b[2J\\x1b]0;pwned\\x07\\u202e');
    expect(out).toContain('nm\\r\\nforged line');
    expect(out).toContain('config.key\\x1b[31m');
    expect(out).toContain('metrics.loss\\x1b[2K\\r');
    expect(out.split('\n').filter(Boolean)).toHaveLength(3); // header and two runs: no forged lines
  });

  it('show: name, tags, params, metric keys, the error line', async () => {
    const out = await text(['show', '1']);
    expect(out.split('\n')[0]).toBe('run 1  exp\\x1b[2J\\x1b]0;pwned\\x07\\u202e (nm\\r\\nforged line)  finished');
    expect(out).not.toMatch(/^forged line/m);
    for (const shown of ['a\\u202eb\\u2066c\\u2069', 'a\\u2028b\\u2029c', 'a\\x9b31mb\\x85', 'a\\x7fb', '\\tx', '\\rx', 'key\\x1b[31m', 'tag\\x1b[1m', 'x\\x1b[0m\\u202e', 'loss\\x1b[2K\\r']) {
      expect(out).toContain(shown);
    }
    expect(await text(['show', '2'])).toContain('error: Error: boom\\x1b[2J\\rforged');
  });

  it('diff and sql', async () => {
    const diff = await text(['diff', '1', '2', '--all']);
    expect(diff).toContain('key\\x1b[31m');
    expect(diff).toContain('a\\u202eb\\u2066c\\u2069');
    expect(diff).toContain('loss\\x1b[2K\\r');
    const sql = await text(['sql', "SELECT name, 'col\u202e' || char(27) AS \"h\u2066\" FROM runs WHERE id = 1"]);
    expect(sql).toContain('nm\\r\\nforged line');
    expect(sql).toContain('h\\u2066');
    expect(sql).toContain('col\\u202e\\x1b');
  });

  it('errors on stderr too', async () => {
    const result = await labbook(['runs', '--experiment', 'x\x1b[2J\u202e', '--where', 'nonsense ~~', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(UNSAFE_IN_TEXT);
  });
});

describe('--json stays exact JSON', () => {
  it('show, runs, diff and export --format json give back every value as stored, with no raw control character', async () => {
    const run = (await json(['show', '1', '--json'])) as { experiment: string; name: string; config: object; tags: object; metrics: object };
    expect(run.experiment).toBe(EXPERIMENT);
    expect(run.name).toBe(NAME);
    expect(run.config).toEqual(CONFIG);
    expect(run.tags).toEqual(TAGS);
    expect(Object.keys(run.metrics)).toContain(METRIC);
    expect(((await json(['show', '2', '--json'])) as { error: string }).error).toContain(ERROR);
    const runs = (await json(['runs', '--json', '--sort', 'id'])) as { config: object }[];
    expect(runs[0].config).toEqual(CONFIG);
    const diff = (await json(['diff', '1', '2', '--json', '--all'])) as { config: Record<string, unknown[]> };
    expect(diff.config.bidi).toEqual([CONFIG.bidi, CONFIG.bidi]);
    expect(diff.config.sep).toEqual([CONFIG.sep, CONFIG.sep]);
    const exported = (await json(['export', '--format', 'json', '--sort', 'id'])) as { experiment: string; config: object }[];
    expect(exported[0]).toMatchObject({ experiment: EXPERIMENT, config: CONFIG });
  });
});

describe('export --format csv', () => {
  it('neutralises cells a spreadsheet would run as formulas, keeps numbers numeric, and keeps data exact in a pipe', async () => {
    const result = await labbook(['export', '--format', 'csv', '--sort', 'id', '--db', db]);
    expect(result.code).toBe(0);
    const [header, first, second] = parseCsv(result.stdout);
    const col = (name: string) => header.indexOf(name);
    expect(first[col('config.formula')]).toBe(`'${CONFIG.formula}`);
    expect(result.stdout).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(first[col('config.plus')]).toBe("'+1+1");
    expect(first[col('config.at')]).toBe("'@SUM(A1)");
    expect(first[col('config.tab')]).toBe("'\tx");
    expect(first[col('config.cr')]).toBe("'\rx");
    expect(first[col('config.neg')]).toBe("'-0.5"); // a string that looks like a number is text
    expect(second[col('config.formula')]).toBe("'-2+3");
    // Numbers stay numbers: unquoted and unprefixed, negative ones too.
    expect(first[col('config.lr')]).toBe('-0.5');
    expect(result.stdout).toMatch(/,-0\.5,/);
    expect(first[col('metrics.loss')]).toBe('-0.25');
    // Down a pipe the data is exact: the name's CR LF and the experiment's escapes are the stored bytes.
    expect(first[col('experiment')]).toBe(EXPERIMENT);
    expect(first[col('name')]).toBe(NAME);
  });

  const script = spawnSync('script', ['--version']).status === 0 ? null : 'util-linux `script` (a pseudo-terminal) is not installed';
  it.skipIf(script)(`on a terminal shows each field's control characters escaped${script ? ` (skipped: ${script})` : ''}`, () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} export --format csv --sort id --db ${JSON.stringify(db)}`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, input: '', encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    const out = result.stdout.replace(/\r\n/g, '\n'); // the terminal's own line ends
    expect(out).not.toMatch(UNSAFE_IN_TEXT);
    expect(out).toContain('exp\\x1b[2J\\x1b]0;pwned\\x07\\u202e,nm\\r\\nforged line,finished');
    expect(out).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
});
