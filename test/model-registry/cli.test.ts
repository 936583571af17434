// `labbook models list|show|register|alias|delete` through the real CLI: JSON output, one-line mistakes, local only, and no tfjs at start-up.
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src';
import { CLI, expectMistakes, runCli, runNode, tempDb } from '../helpers';
import { tinyRun } from './fixture';

async function json(args: string[]): Promise<any> {
  const result = await runCli([...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('labbook models', () => {
  let db: string;
  let runs: number[];
  let bare: number;

  beforeAll(async () => {
    db = tempDb();
    const registry = openRegistry({ db });
    runs = [await tinyRun(registry, 1), await tinyRun(registry, 2)];
    const run = registry.startRun({ experiment: 'no-model', config: {}, seed: 1 });
    run.end();
    bare = run.id;
    registry.close();
  });

  it('registers versions, moves an alias and shows the model, its history and a version with lineage', async () => {
    expect(await json(['models', 'list', '--db', db])).toEqual([]);
    const v1 = await json(['models', 'register', 'tiny', String(runs[0]), '--note', 'baseline', '--db', db]);
    expect(v1).toMatchObject({ name: 'tiny', version: 1, runId: runs[0], checkpoint: 'final', note: 'baseline' });
    expect(await json(['models', 'register', 'tiny', String(runs[1]), '--best', '--db', db])).toMatchObject({ version: 2, checkpoint: 'best' });
    expect(await json(['models', 'alias', 'tiny', 'champion', '1', '--db', db])).toEqual({ name: 'tiny', alias: 'champion', version: 1, previous: null });
    expect(await json(['models', 'alias', 'tiny', 'champion', '2', '--db', db])).toEqual({ name: 'tiny', alias: 'champion', version: 2, previous: 1 });
    expect(await json(['models', 'alias', 'tiny', 'challenger', '1', '--db', db])).toMatchObject({ version: 1 });
    expect(await json(['models', 'alias', 'tiny', 'challenger', '--delete', '--db', db])).toEqual({ name: 'tiny', alias: 'challenger', version: null, previous: 1 });

    const [listed] = await json(['models', 'list', '--db', db]);
    expect(listed).toMatchObject({ name: 'tiny', versions: 2, latestVersion: 2, aliases: { champion: 2 } });
    const model = await json(['models', 'show', 'tiny', '--db', db]);
    expect(model.versions.map((v: { version: number; aliases: string[] }) => [v.version, v.aliases])).toEqual([[1, []], [2, ['champion']]]);
    expect(model.history.map((e: { alias: string; fromVersion: number | null; toVersion: number | null }) => [e.alias, e.fromVersion, e.toVersion])).toEqual([
      ['champion', null, 1],
      ['champion', 1, 2],
      ['challenger', null, 1],
      ['challenger', 1, null],
    ]);
    expect(model.history[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(model.history[0].who).toMatch(/.@./);

    const champion = await json(['models', 'show', 'tiny@champion', '--db', db]);
    expect(champion).toMatchObject({ version: 2, runId: runs[1], lineage: { runId: runs[1], experiment: 'tiny', config: { seed: 2, hidden: 4 }, datasets: [{ name: 'train' }] } });
    expect(champion.lineage.checkpointSha256).toBe(champion.weightsSha256);
    const text = await runCli(['models', 'show', 'tiny/1', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`run +${runs[0]} \\(tiny, finished, seed 1\\)`));
    expect(text.stdout).toMatch(/data train +aaaaaaaaaaaa 30x3 synthetic/);

    const removed = await runCli(['delete', String(runs[0]), '--db', db]);
    expect(removed.code).toBe(2);
    expect(removed.stderr.trim()).toBe(`labbook: Run ${runs[0]} is registered as model version tiny/1: expected a run no model version points at, since the version would lose its weights. Delete the model versions first (labbook models delete tiny/1).`);
    expect(await json(['models', 'delete', 'tiny/1', '--db', db])).toEqual({ deleted: { name: 'tiny', version: 1 } });
    expect((await runCli(['delete', String(runs[0]), '--db', db])).code).toBe(0);
  }, 60_000);

  it('says each mistake in one line and exits 2', async () => {
    await expectMistakes(
      [
        [['models'], /^labbook: Missing argument: expected/],
        [['models', 'lst'], /^labbook: Unknown models action `lst`: expected one of list, show, register, alias, delete, export\./],
        [['models', 'show'], /^labbook: Invalid arguments for `models show`: expected NAME, received none\./],
        [['models', 'show', 'tinny'], /^labbook: No model named "tinny": expected one of "tiny", received "tinny"\. Did you mean "tiny"\?$/m],
        [['models', 'show', 'tiny@nope'], /^labbook: Model "tiny" has no alias "nope": expected one of "champion"/],
        [['models', 'show', 'tiny/9'], /^labbook: Model "tiny" has no version 9: expected one of 2, received 9\./],
        [['models', 'register', 'tiny', String(bare)], new RegExp(`^labbook: Run ${bare} has no model to register: expected a "model" artifact`)],
        [['models', 'register', 'bad/name', String(runs[1])], /^labbook: Invalid value for `model name`: expected a name of 1-100 letters/],
        [['models', 'register', 'tiny', 'x'], /^labbook: Invalid value for `run id`: expected an integer >= 1, received "x"\./],
        [['models', 'alias', 'tiny', '3', '2'], /^labbook: Invalid value for `alias`: expected a name that is not a version number/],
        [['models', 'alias', 'tiny', 'champion'], /^labbook: Invalid arguments for `models alias`: expected NAME ALIAS VERSION, received "tiny" "champion"\./],
        [['models', 'alias', 'tiny', 'champion', '2', '--note', 'x'], /^labbook: --best and --note go with `models register`/],
        [['models', 'delete', 'tiny'], /^labbook: Invalid arguments for `models delete`: expected NAME\/VERSION, received "tiny"\. Name the version to delete, e\.g\. tiny\/1\./],
        [['models', 'delete', 'tiny/2'], /^labbook: Version 2 of model "tiny" has alias champion: expected a version no alias points at/],
      ],
      db,
    );
    await expectMistakes([[['models', 'list', '--db', 'postgres://someone@127.0.0.1:1/team'], /^labbook: `labbook models` works on a local registry only: expected --db PATH to a SQLite registry, received a PostgreSQL URL \(the team store\)\./]]);
  }, 120_000);

  it('loads no tfjs, danfo, zeromq or plotly for any models action', async () => {
    const commands = [['models', 'list', '--db', db], ['models', 'show', 'tiny', '--db', db], ['models', 'show', 'tiny@champion', '--db', db], ['models', 'register', 'other', String(runs[1]), '--db', db], ['models', 'alias', 'other', 'champion', '1', '--db', db]];
    const script = `
      const { main } = require(${JSON.stringify(CLI)});
      const heavy = ['@tensorflow/tfjs', 'danfojs-node', 'zeromq', 'plotly.js-dist', 'pg'];
      const loaded = () => heavy.filter((p) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + p + '/')));
      (async () => {
        const out = [];
        for (const argv of ${JSON.stringify(commands)}) {
          const code = await main(argv).catch((e) => String(e && e.message));
          out.push([argv.slice(0, 2).join(' '), code, loaded()]);
        }
        process.stderr.write('LOADED ' + JSON.stringify(out) + '\\n');
      })();`;
    const result = await runNode(['-e', script]);
    const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED '));
    expect(line, result.stderr).toBeDefined();
    expect(JSON.parse(line!.slice(7))).toEqual(commands.map((c) => [c.slice(0, 2).join(' '), 0, []]));
  }, 60_000);
});
