/**
 * The native backend's portable determinism: every zoo experiment, small, trained on each
 * instruction path a machine may take (AVX-512, AVX2 and the scalar reference) at 1, 2 and 4
 * threads, must give one checkpoint SHA-256; another seed another one. Two processes share the
 * matrix, so the hashes are also compared across processes. Prints the hash matrix.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../kernel-lib/src/backend/native';
import { ROOT, runNode, tempDb } from '../helpers';
import { SMALL } from './cases';

type Row = { isa: string; threads: number; seed: number; status: string; sha256: string | null; error: string | null };

const WORKER = join(__dirname, 'hash-matrix.cjs');
const addon = loadNativeAddon();
const avx512 = addon.ok && addon.addon.info().avx512;

// Process A: the widest path at each thread count, and the other seed; process B: AVX2 at each
// thread count and the scalar reference. Without AVX-512 (a CPU that has only x86-64-v3), A runs AVX2.
const wide = avx512 ? 'avx512' : 'avx2';
const MATRIX = [
  [1, 2, 4].map((threads) => ({ isa: wide, threads, seed: 7 })).concat([{ isa: wide, threads: 2, seed: 8 }]),
  [1, 2, 4].map((threads) => ({ isa: 'avx2', threads, seed: 7 })).concat([{ isa: 'scalar', threads: 1, seed: 7 }]),
];

/** `samples=40` settings as the JSON object runExperiment takes. */
function settings(experiment: string): string {
  return JSON.stringify(Object.fromEntries(SMALL[experiment].map((s) => [s.slice(0, s.indexOf('=')), JSON.parse(s.slice(s.indexOf('=') + 1))])));
}

async function trainMatrix(experiment: string, matrix: (typeof MATRIX)[number]): Promise<Row[]> {
  const result = await runNode([WORKER, experiment, settings(experiment), JSON.stringify(matrix), tempDb()], { cwd: ROOT });
  if (result.code !== 0) throw new Error(`hash-matrix ${experiment} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Row[];
}

describe.skipIf(!addon.ok)(`native backend: the same bits on every instruction path and thread count${addon.ok ? '' : ` (${addon.reason})`}`, () => {
  it.each(Object.keys(SMALL))('%s: one checkpoint hash across paths x threads x processes; another seed differs', async (experiment) => {
    const rows = (await Promise.all(MATRIX.map((m) => trainMatrix(experiment, m)))).flat();
    for (const row of rows) expect(row.status, `${row.isa} x${row.threads}: ${row.error}`).toBe('finished');
    const seven = rows.filter((r) => r.seed === 7);
    const hash = seven[0].sha256;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // The figure for the note: experiment x path x threads.
    console.log(JSON.stringify({ experiment, matrix: Object.fromEntries(rows.map((r) => [`${r.isa} x${r.threads} seed ${r.seed}`, r.sha256!.slice(0, 16)])) }));
    expect(Object.fromEntries(seven.map((r) => [`${r.isa} x${r.threads}`, r.sha256]))).toEqual(Object.fromEntries(seven.map((r) => [`${r.isa} x${r.threads}`, hash])));
    expect(rows.find((r) => r.seed === 8)!.sha256).not.toBe(hash);
  }, 300_000);
});
