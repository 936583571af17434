// `labbook reproduce` says whether a differing checkpoint is outside the original's reproducibility promise or a real failure.
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli, tempDb } from '../helpers';
import { runSmall } from './cases';

let db: string;
let original: number;

function sql(statement: string, ...params: unknown[]): void {
  const registry = openRegistry({ db });
  try {
    registry.db.prepare(statement).run(...params);
  } finally {
    registry.close();
  }
}

describe('labbook reproduce names the promise', () => {
  beforeAll(async () => {
    db = tempDb();
    const a = await runSmall('penguins-mlp', { db, seed: 3, backend: 'cpu' });
    const b = await runSmall('penguins-mlp', { db, seed: 4, backend: 'cpu' });
    original = a.id;
    // Run a's record now claims b's final checkpoint (whole bytes, so not damage): its re-run cannot end on it.
    const registry = openRegistry({ db });
    const final = registry.getRun(b.id).checkpoints.at(-1)!;
    registry.close();
    sql('UPDATE checkpoints SET sha256 = ?, bytes = ? WHERE run_id = ?', final.sha256, final.bytes, a.id);
  }, 180_000);

  it('inside the promise (same backend and versions), a different checkpoint is a real reproducibility failure', async () => {
    const result = await runCli(['reproduce', String(original), '--quiet', '--db', db]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/NOT REPRODUCED/);
    expect(result.stdout).toMatch(/\n {2}inside the promise \(\w+ \w+ cpu with tfjs 4\.22\.0, Node v[\d.]+\): the difference is a real reproducibility failure, not the machine's\./);
    expect(result.stdout).not.toMatch(/env\.reproducibility\./);
    // `labbook show` states the promise in one line.
    const shown = await runCli(['show', String(original), '--db', db]);
    expect(shown.stdout).toMatch(/\n {2}promise bit-identical within the same backend, tfjs, node; recorded on \w+ \w+ cpu with tfjs 4\.22\.0, Node v[\d.]+\n/);
  }, 120_000);

  it('a run whose recorded promise says another backend: the difference is named as outside it', async () => {
    sql("UPDATE runs SET env = json_set(env, '$.reproducibility.backend', 'wasm') WHERE id = ?", original);
    const text = await runCli(['reproduce', String(original), '--quiet', '--db', db]);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toMatch(
      /\n {2}outside the promise: recorded on wasm \/ tfjs 4\.22\.0 \/ Node v[\d.]+ \/ \w+ \w+, reproduced on cpu \/ tfjs 4\.22\.0 \/ Node v[\d.]+ \/ \w+ \w+ \(backend: wasm vs cpu\); bit-identity is promised only within the same backend, tfjs major\.minor and Node major\.minor, so a different checkpoint is expected here\./,
    );
    const json = await runCli(['reproduce', String(original), '--quiet', '--json', '--db', db]);
    expect(JSON.parse(json.stdout).promise).toMatchObject({ original: { backend: 'wasm' }, rerun: { backend: 'cpu' }, outside: ['backend: wasm vs cpu'] });
  }, 120_000);
});
