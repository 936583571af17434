// Search-space specs: a bad spec fails at definition with the error template, naming the param.
import { describe, expect, it } from 'vitest';
import { choice, defineSpace, int, isActive, logUniform, uniform, type SearchSpace } from '../../kernel-lib/src/sweep';

function errorOf(space: unknown): { code: string; message: string } {
  try {
    defineSpace(space as SearchSpace);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected defineSpace to throw');
}

describe('defineSpace', () => {
  it('accepts every kind of param, conditional ones after their parent', () => {
    const space = {
      'opt.name': choice(['sgd', 'adam']),
      'opt.lr': logUniform(1e-5, 1e-1),
      'opt.momentum': uniform(0, 0.99, { when: { param: 'opt.name', values: ['sgd'] } }),
      'model.units': int(16, 256, { step: 16 }),
      batchSize: int(8, 512, { log: true }),
    };
    expect(defineSpace(space)).toBe(space);
    expect(isActive(space, 'opt.momentum', { 'opt.name': 'sgd' })).toBe(true);
    expect(isActive(space, 'opt.momentum', { 'opt.name': 'adam' })).toBe(false);
  });

  it.each([
    ['an empty space', {}, /Invalid value for `space`: expected at least one param, received \{\}/],
    ['a name that is not a dotted path', { 'opt..lr': uniform(0, 1) }, /expected param names that are dotted config paths.*received "opt\.\.lr"/],
    ['an empty choice', { act: choice([]) }, /`space\["act"\]\.choices`: expected a non-empty array/],
    ['an object as a choice', { act: choice([{ a: 1 } as never]) }, /expected JSON scalars .*received \{"a":1\}/],
    ['a duplicate choice', { act: choice(['relu', 'relu']) }, /expected distinct choices, received "relu"/],
    ['reversed bounds', { lr: uniform(1, 0) }, /`space\["lr"\]`: expected finite bounds with low <= high, received \{"low":1,"high":0\}/],
    ['logUniform from 0', { lr: logUniform(0, 1) }, /`space\["lr"\]\.low`: expected a positive number for logUniform, received 0\. Use uniform\(\)/],
    ['a non-integer int bound', { units: int(1.5, 8) }, /expected integer bounds/],
    ['a log int with a step', { units: int(2, 64, { log: true, step: 2 }) }, /expected step 1 for a log int param/],
    ['a high off the step grid', { units: int(16, 250, { step: 16 }) }, /`space\["units"\]\.high`: expected low plus a multiple of step 16, received 250\. Use 240\./],
    ['an unknown kind', { x: { kind: 'normal' } }, /`space\["x"\]\.kind`: expected "choice", "int", "uniform" or "logUniform", received "normal"/],
    ['a condition on a later param', { m: uniform(0, 1, { when: { param: 'opt', values: ['sgd'] } }), opt: choice(['sgd']) }, /expected a choice param declared before "m", received "opt"/],
    ['a condition on a value the parent lacks', { opt: choice(['sgd', 'adam']), m: uniform(0, 1, { when: { param: 'opt', values: ['rmsprop'] } }) }, /`space\["m"\]\.when\.values`: expected a non-empty array of opt's choices \("sgd", "adam"\)/],
  ])('rejects %s', (_what, space, message) => {
    const e = errorOf(space);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(message);
  });
});
