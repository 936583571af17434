/** Output regression's pure parts: sanitizers, the comparison nbval's lax mode makes, the diff, and the rewrite of a notebook file. */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { writeNotebook, type NotebookDocument } from '../../kernel-lib/src/nbtest/notebook';
import { compareOutputs, hasCommittedOutputs, rewriteOutputs } from '../../kernel-lib/src/nbtest/regression';
import { checkSanitizers, compileSanitizers, lineDiff, sanitize } from '../../kernel-lib/src/nbtest/sanitize';
import { checkTestOptions } from '../../kernel-lib/src/vitest/options';
import { tempDir } from '../helpers';

const ROOT = '/home/me/project';
const clean = (text: string, project = []) => sanitize(text, compileSanitizers(ROOT, project));

describe('sanitize', () => {
  it('replaces what differs between two honest executions and keeps what does not', () => {
    expect(clean('run 1  quickstart  finished\n  seed 42   started 2026-12-01 13:07:18   took 3.2s\n  config a67dec900006   code 55511d708712')).toBe(
      'run 1  quickstart  finished\n  seed 42   started <DATETIME>   took <N>\n  config <HEX>   code <HEX>',
    );
    expect(clean('at 2024-03-05T10:11:12.345Z, 12:01:02 and Tue Dec 01 2026 13:19:14 GMT+0000 (Coordinated Universal Time)')).toBe('at <DATETIME>, <TIME> and <DATETIME>');
    expect(clean('epoch 3: 12.3s, 1m02s, 350 ms, 4 seconds; 10 samples, 1h02m03s')).toBe('epoch 3: <DURATION>, <DURATION>, <DURATION>, <DURATION>; 10 samples, <DURATION>');
    expect(clean('{"samples_per_sec": 1234.5, "epoch_seconds": 0.82}')).toBe('{"samples_per_sec": <N>, "epoch_seconds": <N>}');
    expect(clean('id 123e4567-e89b-12d3-a456-426614174000, effaced deadline')).toBe('id <UUID>, effaced deadline');
    expect(clean(`wrote ${ROOT}/notebooks/out.json and ${join(tmpdir(), 'labbook-x1Yz', 'm.json')}, not /home/me/projectile`)).toBe('wrote <ROOT>/notebooks/out.json and <TMP>, not /home/me/projectile');
  });

  it("applies the project's sanitizers after the built-in ones, RegExp or source string", () => {
    const project = checkSanitizers([{ regex: /loss (\d+\.\d)\d*/, replace: 'loss $1' }, { regex: 'seed=\\d+', replace: 'seed=N' }]);
    expect(project).toEqual([{ regex: 'loss (\\d+\\.\\d)\\d*', flags: 'g', replace: 'loss $1' }, { regex: 'seed=\\d+', flags: 'g', replace: 'seed=N' }]);
    expect(sanitize('loss 0.4123 seed=7 loss 0.41 seed=8', compileSanitizers(ROOT, project))).toBe('loss 0.4 seed=N loss 0.4 seed=N');
  });

  it('rejects a sanitizer that is not {regex, replace} or does not compile, saying which', () => {
    expect(() => checkSanitizers([{ regex: '(', replace: '' }])).toThrow(/^Invalid value for `sanitizers\[0\]\.regex`: expected a valid regular expression, received "\(". It does not compile/);
    expect(() => checkTestOptions({ sanitizers: [{ regex: 'x' }] as never })).toThrow(LabbookError);
    expect(() => checkTestOptions({ sanitizers: 'x' as never })).toThrow('Invalid value for `sanitizers`: expected an array of {regex, replace}, received "x".');
  });

  it('names the option it does not know, the ones it does, and the closest', () => {
    expect(() => checkTestOptions({ cellTimout: 5 } as never)).toThrow(
      'Unknown option `cellTimout` for notebooks(): expected one of parameters, cellTimeout, notebookTimeout, startupTimeout, repro, baseline, sanitizers, received `cellTimout`. Did you mean `cellTimeout`?',
    );
  });
});

describe('compareOutputs (nbval lax semantics)', () => {
  const sanitizers = compileSanitizers(ROOT);
  const stream = (text: string | string[], name = 'stdout') => ({ output_type: 'stream', name, text });

  it('matches streams saved split into lines or outputs, ignoring execution counts and table padding around a sanitized value', () => {
    const committed = [stream(['took 3.2s\n', 'a    b\n']), stream('done\n'), { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': ['x'] }, metadata: {} }];
    const now = [stream('took 12.25s\na b\ndone\n'), { output_type: 'execute_result', execution_count: 9, data: { 'text/plain': 'x' }, metadata: {} }];
    expect(compareOutputs(committed, now, sanitizers)).toBeNull();
  });

  it('compares the MIME types of a display but not its HTML or image bytes', () => {
    const display = (data: object) => ({ output_type: 'display_data', data, metadata: {} });
    expect(compareOutputs([display({ 'text/html': '<div id="a1">', 'image/png': 'AAA' })], [display({ 'text/html': '<div id="b2">', 'image/png': 'BBB' })], sanitizers)).toBeNull();
    expect(compareOutputs([display({ 'text/html': '<p>', 'text/plain': 'p' })], [display({ 'text/html': '<p>' })], sanitizers)).toBe('- [display_data text/html, text/plain]\n- p\n+ [display_data text/html]');
  });

  it("compares an error's name and message, not its traceback; a stream's name; the order of outputs", () => {
    const error = (evalue: string, traceback: string[]) => ({ output_type: 'error', ename: 'Error', evalue, traceback });
    expect(compareOutputs([error('boom', ['at a'])], [error('boom', ['at b'])], sanitizers)).toBeNull();
    expect(compareOutputs([error('boom', [])], [error('bang', [])], sanitizers)).toBe('  [error]\n- Error: boom\n+ Error: bang');
    expect(compareOutputs([stream('x\n')], [stream('x\n', 'stderr')], sanitizers)).toBe('- [stdout]\n+ [stderr]\n  x');
  });

  it('shows a long output as hunks with two lines of context', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = lines.map((l, i) => (i === 10 ? 'line ten' : l));
    expect(lineDiff(lines, changed)).toBe('  ...\n  line 8\n  line 9\n- line 10\n+ line ten\n  line 11\n  line 12\n  ...');
  });
});

describe('rewriteOutputs', () => {
  const doc = (): NotebookDocument => ({
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: 'tslab' } },
    cells: [
      { cell_type: 'markdown', source: ['# t\n', 'x'], metadata: {} },
      { cell_type: 'code', source: 'a', metadata: { tags: ['check-output'] }, outputs: [{ output_type: 'stream', name: 'stdout', text: 'old\n' }], execution_count: 1 },
      { cell_type: 'code', source: 'b', metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: 'kept\n' }], execution_count: 2 },
    ],
  });

  it('replaces only the given cells\' outputs and counts, in nbformat layout', () => {
    const file = join(tempDir('labbook-regression-units-'), 'n.ipynb');
    writeNotebook(file, doc());
    const outputs = [{ output_type: 'stream' as const, name: 'stdout' as const, text: 'new\nlines\n' }];
    rewriteOutputs(file, [{ index: 1, source: 'a', outputs, executionCount: 5 }]);
    const expected = doc();
    Object.assign(expected.cells[1], { outputs, execution_count: 5 });
    const reference = join(tempDir('labbook-regression-units-'), 'expected.ipynb');
    writeNotebook(reference, expected);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(reference, 'utf8'));
  });

  it('refuses to overwrite a cell edited since it ran', () => {
    const file = join(tempDir('labbook-regression-units-'), 'n.ipynb');
    writeNotebook(file, doc());
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"source": "a"', '"source": "a2"'));
    expect(() => rewriteOutputs(file, [{ index: 1, source: 'a', outputs: [], executionCount: 5 }])).toThrow(/Cannot update the outputs of cell 1 in .*: expected its source as executed, received a notebook edited while its tests ran/);
    expect(readFileSync(file, 'utf8')).toBe(text.replace('"source": "a"', '"source": "a2"'));
  });

  it('counts a cell as never run only when it has neither outputs nor a count', () => {
    expect(hasCommittedOutputs({ cell_type: 'code', source: '', metadata: {}, outputs: [], execution_count: null })).toBe(false);
    expect(hasCommittedOutputs({ cell_type: 'code', source: '', metadata: {}, outputs: [], execution_count: 3 })).toBe(true);
  });
});
