import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, labbook } from './cli-process';

/** Every command takes the positionals it declares and no more: a stray word is an error, never ignored. */
let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labbook-arguments-'));
  db = join(dir, 'registry.db');
  for (const seed of ['1', '2']) expect((await labbook(['demo', '--db', db, '--seed', seed, '--json'])).code).toBe(0);
  expect((await labbook(['delete', '2', '--db', db])).code).toBe(0); // leaves an object for gc to free
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(args: string[]): Promise<string> {
  const result = await labbook(args);
  expect(result.stdout).toBe('');
  return expectOneLineError(result);
}

describe('extra positional arguments', () => {
  it.each([
    [['runs', 'failed'], '"failed": expected no positional arguments, received 1. Usage: labbook runs '],
    [['runs', '--where', 'status', '=', "'failed'"], '"=": expected no positional arguments, received 2. Usage: labbook runs '],
    [['export', '--format', 'csv', 'out.csv'], '"out.csv": expected no positional arguments, received 1. Usage: labbook export '],
    [['gc', '--grace', '0', 'now'], '"now": expected no positional arguments, received 1. Usage: labbook gc '],
    [['show', '1', '2'], '"2": expected one run id, received 2. Usage: labbook show '],
    [['reproduce', '1', 'exp.ts', 'again'], '"again": expected 1 to 2 arguments (a run id, then an optional experiment file), received 3. Usage: labbook reproduce '],
    [['sql', 'SELECT 1', 'FROM runs'], '"FROM runs": expected one quoted query, received 2. Usage: labbook sql '],
    [['run', 'penguins-mlp', 'mnist-mlp'], '"mnist-mlp": expected one experiment name or file, received 2. Usage: labbook run '],
  ])('labbook %j is refused', async (args, message) => {
    expect(await refused([...args, '--db', db])).toContain(`labbook: Unexpected argument ${message}`);
  });

  it('refused before anything is done: gc frees nothing, demo and kernelspec write nothing', async () => {
    const objects = () => readdirSync(join(dir, 'objects'), { recursive: true }).length;
    const before = objects();
    await refused(['gc', '--grace', '0', 'extra', '--db', db]);
    expect(objects()).toBe(before);
    expect((await labbook(['gc', '--grace', '0', '--dry-run', '--json', '--db', db])).stdout).toMatch(/"removed": \[\s*"[0-9a-f]{64}"/); // there was something to free
    const fresh = join(dir, 'fresh', 'registry.db');
    expect(await refused(['demo', 'extra', '--db', fresh])).toContain('Unexpected argument "extra": expected no positional arguments');
    expect(existsSync(fresh)).toBe(false);
    const kernels = join(dir, 'jupyter');
    expect(await refused(['kernelspec', 'extra', '--dir', kernels])).toContain('Unexpected argument "extra"');
    expect(existsSync(kernels)).toBe(false);
  });
});

describe('too few positional arguments', () => {
  it.each([
    [['show'], 'Missing run id: expected one run id, received 0.'],
    [['reproduce'], 'Missing run id: expected 1 to 2 arguments (a run id, then an optional experiment file), received 0.'],
    [['delete'], 'Missing run id: expected at least one run id, received 0.'],
    [['diff', '1'], 'Missing run ids: expected at least 2 run ids, received 1.'],
    [['sql'], 'Missing quoted query: expected one quoted query, received 0.'],
    [['run'], 'Missing experiment name or file: expected one experiment name or file, received 0.'],
    [['nbtest'], 'Missing notebook file or folder: expected at least one notebook file or folder, received 0.'],
  ])('labbook %j is refused', async (args, message) => {
    expect(await refused([...args, '--db', db])).toContain(`labbook: ${message} Usage: labbook ${args[0]} `);
  });
});
