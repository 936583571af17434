// TPE's Parzen estimator gives the same log-densities as Optuna's (numbers made by test/fixtures/sweep/make_parzen_reference.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParzenEstimator } from '../../kernel-lib/src/sweep/parzen';
import type { ParamSpec } from '../../kernel-lib/src/sweep/space';

interface Case { name: string; spec: ParamSpec; observations: number[]; points: number[]; logPdf: number[] }
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/sweep/parzen_reference.json'), 'utf8')) as { optuna: string; cases: Case[] };

describe(`Parzen estimator against Optuna ${reference.optuna}`, () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const estimator = new ParzenEstimator(c.spec, c.observations);
    const ours = c.points.map((x) => estimator.logPdf(x));
    ours.forEach((v, i) => expect(Math.abs(v - c.logPdf[i]), `point ${c.points[i]}: ${v} vs ${c.logPdf[i]}`).toBeLessThan(1e-9));
  });
});
