import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli, tempDb } from '../helpers';
import { runSmall } from '../experiment/cases';
import { expectOneLineError } from './cli-process';

/**
 * Runs 1 and 2 differ only in their seed; every run has a wide environment (a long array, a long
 * string, nested sections) and many metrics with long names, as real training runs do.
 */
let db: string;
beforeAll(() => {
  db = tempDb();
  const registry = openRegistry({ db });
  const env = {
    backend: {
      name: 'native',
      skipped: Array.from({ length: 6 }, (_, i) => ({ backend: `tensorflow-${i}`, package: '@tensorflow/tfjs-node-gpu', reason: 'not installed on this machine' })),
      versions: { libraries: { compiler: `g++ 12.2.0 ${'with a very long build description '.repeat(8)}` } },
    },
  };
  const metrics = { loss: 0.5, val_loss: 0.6, test_macro_f1: 0.41, accuracy: 0.8, epoch_seconds_mean: 1.5, samples_per_sec: 1234.5 };
  for (const [i, lr] of [0.1, 0.1, 0.01].entries()) {
    const run = registry.startRun({ experiment: 'mnist-mlp', name: `trial-${i}`, config: { lr, optimizer: 'adam' }, seed: i + 1, env, tags: { team: 'vision' } });
    for (const [key, value] of Object.entries(metrics)) run.log({ [`${key}_with_a_rather_long_descriptive_suffix`]: value + i / 10, [key]: value + i / 10 });
    run.end();
  }
  registry.close();
});

async function text(args: string[]): Promise<string> {
  const result = await runCli([...args, '--db', db]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const widest = (out: string) => Math.max(...out.split('\n').map((line) => [...line].length));

describe('labbook diff (text)', () => {
  it('shows the seed when it is the only difference', async () => {
    const out = await text(['diff', '1', '2']);
    expect(out).toMatch(/^ {2}seed +1 +2$/m);
    expect(widest(out)).toBeLessThanOrEqual(100);
  });

  it('--all fits 100 columns, one row per dotted env key, long values cut with an ellipsis', async () => {
    const out = await text(['diff', '1', '2', '3', '--all']);
    expect(widest(out)).toBeLessThanOrEqual(100);
    expect(out).toMatch(/^ {2}backend\.versions\.libraries\.compiler +g\+\+ 12\.2\.0 .*…/m);
    expect(out).toMatch(/^ {2}backend\.skipped +\[\{.*…/m);
    expect(out).toMatch(/^ {2}seed +1 +2 +3$/m);
  });
});

describe('labbook runs (text)', () => {
  it('by default fits 100 columns: identity, times, and a few loss/accuracy-like metrics', async () => {
    const out = await text(['runs', '--sort', 'id']);
    const [header] = out.split('\n');
    expect(header).toMatch(/^id +experiment +name +status +started_at +duration +metrics\.\w+/);
    expect(header).not.toContain('samples_per_sec');
    expect(widest(out)).toBeLessThanOrEqual(100);
    expect(out).toMatch(/more metrics: choose with --columns/);
  });

  it('shows the fields the filter and sort name', async () => {
    const out = await text(['runs', '--where', 'metrics.samples_per_sec > 0', '--sort', '-config.lr']);
    expect(out.split('\n')[0]).toMatch(/metrics\.samples_per_sec +config\.lr$/);
    expect(widest(out)).toBeLessThanOrEqual(100);
  });

  it('--columns chooses the columns, any field of the filter language or duration', async () => {
    const out = await text(['runs', '--columns', 'id, tags.team,metrics.loss.min,duration', '--sort', 'id']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^id +tags\.team +metrics\.loss\.min +duration$/);
    expect(lines[1]).toMatch(/^1 +vision +0\.5 +\d+\.\ds$/);
  });

  it.each([
    [['runs', '--columns', 'id,durration'], 'labbook: Invalid column list at column 4: unknown column `durration`; expected a field of the filter language, or duration. Did you mean `duration`?'],
    [['runs', '--columns', 'id,metrics.test_f1'], /^labbook: Invalid column list at column 4: unknown metric `metrics.test_f1`.*Did you mean `metrics.test_macro_f1`\?$/],
    [['runs', '--sort', '-metrics.test_f1'], /^labbook: Invalid sort at column 2: unknown metric `metrics.test_f1`.*Did you mean `metrics.test_macro_f1`\?$/],
    [['runs', '--where', 'metrics.test_f1 > 0.4'], /^labbook: Invalid filter at column 1: unknown metric `metrics.test_f1`.*Did you mean `metrics.test_macro_f1`\?$/],
    [['runs', '--where', 'metrics.loss.median < 1'], /^labbook: Invalid filter at column 1: unknown aggregate `median` of `metrics.loss`; expected `metrics.loss` \(the latest value\), `metrics.loss.min` or `metrics.loss.max`/],
    [['runs', '--where', "config.lr < 'abc'"], /^labbook: Invalid filter at column 13: `config.lr` is a number in every run, compared with text; expected a number, found 'abc'\.$/],
  ])('a mistake %j is one line and exit 2', async (args, message) => {
    const line = expectOneLineError(await runCli([...args, '--db', db]));
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
  });
});

describe('labbook export', () => {
  it('includes the end time, the duration and the tags', async () => {
    const csv = (await text(['export', '--format', 'csv', '--sort', 'id'])).trim().split('\n');
    const header = csv[0].split(',');
    expect(header.slice(0, 8)).toEqual(['id', 'experiment', 'name', 'status', 'seed', 'started_at', 'ended_at', 'duration_s']);
    expect(header).toContain('tags.team');
    const first = csv[1].split(',');
    expect(first[6]).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(Number(first[7])).toBeGreaterThanOrEqual(0);
    expect(first[header.indexOf('tags.team')]).toBe('vision');
    const [json] = JSON.parse(await text(['export', '--format', 'json', '--limit', '1'])) as { endedAt: string; durationSeconds: number; tags: object }[];
    expect(json).toMatchObject({ endedAt: expect.any(String), durationSeconds: expect.any(Number), tags: { team: 'vision' } });
  });
});

describe('labbook reproduce', () => {
  it('does not list environment keys that are not inputs (which backends the selection skipped) as differences', async () => {
    const local = tempDb();
    // Automatic selection records what it passed over; the re-run asks for the recorded backend by name.
    const original = await runSmall('penguins-mlp', { db: local, seed: 3, backend: 'auto' });
    const result = await runCli(['reproduce', String(original.id), '--json', '--quiet', '--db', local]);
    expect(result.code).toBe(0);
    // Only these keys: others (git.commit) may differ when someone commits while the test runs.
    const env = Object.keys(JSON.parse(result.stdout).differences.env);
    for (const key of ['backend.skipped', 'backend.selectedBy', 'hostname']) expect(env).not.toContain(key);
    const out = await runCli(['reproduce', String(original.id), '--quiet', '--db', local]);
    expect(out.stdout).not.toContain('backend.skipped');
  }, 120_000);
});
