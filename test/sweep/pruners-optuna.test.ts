// Every pruner decision equals Optuna's on the same studies (decisions made by test/fixtures/sweep/make_pruner_reference.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HyperbandPruner, MedianPruner, SuccessiveHalvingPruner, type Pruner } from '../../kernel-lib/src/sweep/pruners';
import { crc32 } from '../../kernel-lib/src/sweep/pruners/crc32';
import { exactLog } from '../../kernel-lib/src/sweep/pruners/exact-log';
import type { Trial, TrialState } from '../../kernel-lib/src/sweep/trial';

type Value = number | 'NaN';
interface RefTrial { number: number; state: TrialState; value: number | null; intermediate: [number, Value][]; prunedAt: number | null }
interface Case {
  name: string;
  pruner: { kind: 'median' | 'successiveHalving' | 'hyperband'; options: Record<string, number | string> };
  direction: 'minimize' | 'maximize';
  seed: number;
  trials: RefTrial[];
}
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/sweep/pruner_reference.json'), 'utf8')) as {
  optuna: string;
  cases: Case[];
  logs: [number, number][];
  crc32: [string, number][];
};

const num = (v: Value): number => (v === 'NaN' ? NaN : v);
const toTrial = (t: RefTrial, points = t.intermediate.length, state = t.state): Trial => ({
  number: t.number,
  params: {},
  state,
  value: state === 'running' ? null : t.value,
  intermediate: t.intermediate.slice(0, points).map(([step, value]) => ({ step, value: num(value) })),
});

function makePruner(c: Case): Pruner {
  const o = c.pruner.options as never;
  if (c.pruner.kind === 'median') return new MedianPruner(o);
  if (c.pruner.kind === 'successiveHalving') return new SuccessiveHalvingPruner(o);
  return new HyperbandPruner({ ...(o as object), seed: c.seed });
}

/** Replays the study as Optuna ran it: trial after trial, asking after each reported step. */
function replay(c: Case): { mismatches: string[]; asked: number; pruned: number } {
  const pruner = makePruner(c);
  const finished: Trial[] = [];
  const mismatches: string[] = [];
  let asked = 0;
  let pruned = 0;
  for (const ref of c.trials) {
    for (let i = 0; i < ref.intermediate.length; i++) {
      const current = toTrial(ref, i + 1, 'running');
      const step = ref.intermediate[i][0];
      const decision = pruner.shouldPrune(current, [...finished, current], c.direction);
      const expected = ref.prunedAt === step;
      asked++;
      if (decision.prune) pruned++;
      if (decision.prune !== expected || decision.step !== step) {
        mismatches.push(`trial ${ref.number} step ${step}: Optuna ${expected}, ours ${decision.prune} (${decision.reason})`);
      }
    }
    finished.push(toTrial(ref));
  }
  return { mismatches, asked, pruned };
}

describe(`pruners against Optuna ${reference.optuna}`, () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { mismatches, asked, pruned } = replay(c);
    expect(mismatches).toEqual([]);
    // The study exercised the pruner: it was asked often and pruned some trials but not all.
    expect(asked).toBeGreaterThan(c.trials.length);
    expect(pruned).toBeGreaterThan(0);
  });

  it("computes log as glibc does, where Hyperband's bracket count depends on the last bit", () => {
    for (const [x, ln] of reference.logs) expect(exactLog(x), `log(${x})`).toBe(ln);
  });

  it("hashes as Python's binascii.crc32", () => {
    for (const [text, crc] of reference.crc32) expect(crc32(text), text).toBe(crc);
  });
});
