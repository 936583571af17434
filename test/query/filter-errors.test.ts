import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { compileFilter } from '../../kernel-lib/src/query';

/** The error compileFilter throws for `where`. */
function failure(where: string): LabbookError {
  try {
    compileFilter(where);
  } catch (error) {
    expect(error).toBeInstanceOf(LabbookError);
    return error as LabbookError;
  }
  throw new Error(`expected ${JSON.stringify(where)} to fail`);
}

function expectFailure(where: string, position: number, ...parts: string[]): void {
  const error = failure(where);
  expect(error.code).toBe('INVALID_FILTER');
  expect(error.position).toBe(position);
  expect(error.message).toMatch(new RegExp(`^Invalid filter at column ${position}: `));
  expect(error.message).not.toContain('\n');
  for (const part of parts) expect(error.message).toContain(part);
}

describe('filter errors', () => {
  it('names an unknown field, what fields exist, and a likely fix', () => {
    expectFailure('confg.lr < 1', 1, 'unknown field `confg.lr`', 'expected config.<key>, metrics.<key>[.min|.max], tags.<key>, or one of id, name', 'Did you mean `config.lr`?');
    expectFailure('config.lr < 0.01 AND metric.acc > 1', 22, 'unknown field `metric.acc`', 'Did you mean `metrics.acc`?');
    expectFailure('lr < 0.01', 1, 'unknown field `lr`', '`config.lr`');
    expectFailure('metrics > 1', 1, 'field `metrics` needs a key');
  });

  it('points at bad syntax', () => {
    expectFailure('config.lr <', 12, 'incomplete filter', 'expected a value', 'found the end of the expression');
    expectFailure('config.lr 0.1', 11, 'unexpected input', 'expected an operator', 'found the number 0.1');
    expectFailure('config.lr < 0.01 AND', 21, 'expected a field');
    expectFailure('(config.lr < 1', 15, 'expected `)` to close the `(` at column 1');
    expectFailure('config.lr < 1)', 14, 'expected AND, OR or the end of the filter', 'found `)`');
    expectFailure('config.lr IN 1', 14, 'expected `(`');
    expectFailure('config.lr IN ()', 15, 'expected a value');
    expectFailure('config.lr ~ 1', 11, 'unexpected character `~`');
    expectFailure('config.lr < 1abc', 13, 'malformed number', '`1abc`');
    expectFailure('config. < 1', 8, 'missing name after `.`');
    expectFailure('', 1, 'expected a condition');
  });

  it('reports an unterminated string where it starts', () => {
    expectFailure("config.optimizer = 'adam", 20, 'unterminated string', "expected a closing '", 'found the end of the expression');
    expectFailure('config.optimizer = "adam\'', 20, 'unterminated string');
    expectFailure('config.`lr < 1', 8, 'unterminated name');
  });

  it('reports trailing garbage', () => {
    expectFailure('config.lr < 0.01 garbage', 18, 'trailing text', 'expected AND, OR or the end of the filter', 'found the field `garbage`');
    expectFailure("config.lr < 0.01 'x'", 18, "found the string 'x'");
  });

  it('suggests quoting a bare word used as a value', () => {
    expectFailure('config.optimizer = adam', 20, "Quote text values: 'adam'.");
  });

  it('checks values against the field', () => {
    expectFailure('config.lr = null', 13, 'with null', 'IS NULL');
    expectFailure("config.lr IN (1, null)", 18, 'with null');
    expectFailure("status = 'done'", 10, 'unknown run status', "'running', 'finished', 'failed', 'killed', 'crashed'", "found 'done'");
    expectFailure("status IN ('finished', 'ok')", 24, 'unknown run status');
    expectFailure("started_at > '2024-02-31'", 14, 'invalid date', "found '2024-02-31'");
    expectFailure("ended_at < 'yesterday'", 12, 'invalid date');
    expectFailure("started_at LIKE '2024%'", 1, 'LIKE on the time');
    expectFailure('config.name LIKE 5', 18, 'LIKE needs a text pattern');
  });
});
