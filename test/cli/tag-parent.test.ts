import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { ROOT, tempDb } from '../helpers';
import { expectOneLineError, labbook } from './cli-process';

/** A registry with a finished sweep (1) and two finished trials under it (2, 3). */
function sweep(): string {
  const db = tempDb();
  const registry = openRegistry({ db });
  const parent = registry.startRun({ experiment: 'sweep', config: { lr: 0.1 }, tags: { purpose: 'baseline' } });
  parent.end();
  for (const lr of [0.01, 0.001]) registry.startRun({ experiment: 'sweep', config: { lr }, parentId: parent.id }).end();
  registry.close();
  return db;
}

describe('labbook tag', () => {
  it('sets and deletes tags of an ended run, values kept as text', async () => {
    const db = sweep();
    const result = await labbook(['tag', '1', 'purpose=best', 'rank=007', '--db', db, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id: 1, tags: { purpose: 'best', rank: '007' } });
    const deleted = await labbook(['tag', '1', '--delete', 'rank', '--db', db]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/purpose\s+best/);
    const shown = JSON.parse((await labbook(['show', '1', '--json', '--db', db])).stdout);
    expect(shown.tags).toEqual({ purpose: 'best' });
  }, 60_000);

  it.each([
    [['tag', '1'], /Nothing to change: expected at least one key=value or --delete KEY/],
    [['tag', '1', 'purpose'], /Invalid tag "purpose": expected key=value/],
    [['tag', '9', 'a=b'], /No run with id 9 in this registry/],
    [['tag', '1', 'a=b', '--delete', 'purpos'], /Run 1 has no tag `purpos`: expected one of `purpose`\. Did you mean `purpose`\?/],
    [['tag', '1', 'a=b', '--delete', 'a'], /Tag `a` is both set and deleted/],
  ])('%j is one line and exit 2, changing nothing', async (args, message) => {
    const db = sweep();
    expect(expectOneLineError(await labbook([...args, '--db', db]))).toMatch(message);
    const registry = openRegistry({ db });
    expect({ ...registry.getRun(1).tags }).toEqual({ purpose: 'baseline' });
    registry.close();
  }, 60_000);
});

describe('parent runs in the CLI', () => {
  it('runs --parent and --where parent list the children; show and runs --json carry parent', async () => {
    const db = sweep();
    const ids = async (args: string[]) => JSON.parse((await labbook(['runs', ...args, '--sort', 'id', '--json', '--db', db])).stdout).map((r: { id: number }) => r.id);
    expect(await ids(['--parent', '1'])).toEqual([2, 3]);
    expect(await ids(['--where', 'parent = 1'])).toEqual([2, 3]);
    expect(await ids(['--where', 'parent IS NULL'])).toEqual([1]);
    const listed = JSON.parse((await labbook(['runs', '--json', '--sort', 'id', '--db', db])).stdout);
    expect(listed.map((r: { parent: number | null }) => r.parent)).toEqual([null, 1, 1]);
    const shown = JSON.parse((await labbook(['show', '1', '--json', '--db', db])).stdout);
    expect(shown).toMatchObject({ parent: null, children: [2, 3] });
    expect((await labbook(['show', '2', '--db', db])).stdout).toMatch(/parent 1 {3}children -/);
  }, 60_000);

  it('delete refuses a parent whose children stay (exit 2), and takes it with them', async () => {
    const db = sweep();
    expect(expectOneLineError(await labbook(['delete', '1', '--db', db]))).toMatch(
      /Run 1 has child runs 2, 3: expected a run without children, since deleting it would orphan them\. Delete them together \(labbook delete 1 2 3\)/,
    );
    const result = await labbook(['delete', '1', '2', '3', '--json', '--db', db]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ deleted: [1, 2, 3] });
  }, 60_000);

  it('labbook run --tag and --parent record the run under its parent with its tags', async () => {
    const db = sweep();
    const file = join(ROOT, 'test', 'fixtures', 'experiments', 'nested-config.ts');
    const result = await labbook(['run', file, '--tag', 'trial=a', '--tag', 'note=x=y', '--parent', '1', '--backend', 'cpu', '--quiet', '--json', '--db', db]);
    expect(result.stderr).toBe('');
    const { id } = JSON.parse(result.stdout);
    const registry = openRegistry({ db });
    expect(registry.getRun(id)).toMatchObject({ parent: 1, tags: { trial: 'a', note: 'x=y', source: 'test/fixtures/experiments/nested-config.ts' } });
    registry.close();
    expect(expectOneLineError(await labbook(['run', file, '--parent', '9', '--backend', 'cpu', '--quiet', '--db', db]))).toMatch(/expected the id of a recorded run, received 9/);
  }, 60_000);
});
