import { describe, expect, it } from 'vitest';
import { tempDb } from '../helpers';
import { runSmall, SMALL } from './cases';

// Every experiment, small, twice in separate processes on the wasm backend: the same seed must
// give the same checkpoint bytes, another seed different ones.
describe.each(Object.keys(SMALL))('%s on wasm', (experiment) => {
  it('reproduces bit for bit across processes, and another seed changes the weights', async () => {
    const db = tempDb();
    const [a, b] = await Promise.all([runSmall(experiment, { db, seed: 7, backend: 'wasm' }), runSmall(experiment, { db: tempDb(), seed: 7, backend: 'wasm' })]);
    const other = await runSmall(experiment, { db, seed: 8, backend: 'wasm' });
    for (const run of [a, b, other]) expect(run.status).toBe('finished');
    expect(a.checkpoint?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.checkpoint?.sha256).toBe(a.checkpoint?.sha256);
    expect(b.configHash).toBe(a.configHash);
    expect(b.codeHash).toBe(a.codeHash);
    expect(b.metrics).toEqual(a.metrics);
    expect(other.checkpoint?.sha256).not.toBe(a.checkpoint?.sha256);
  }, 300_000);
});
