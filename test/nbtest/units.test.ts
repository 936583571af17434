import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { keyValues } from '../../kernel-lib/src/cli/args';
import { checkParameters, compareRuns, executeNotebook, findNotebooks, parameterSource, readRuns } from '../../kernel-lib/src/nbtest';

const parseParameterPairs = (pairs: string[]) => checkParameters(keyValues('--param', pairs));
import { NotebookOutputs } from '../../kernel-lib/src/nbtest/outputs';
import { decode, encode, type Message, newMessage, ProtocolError } from '../../kernel-lib/src/nbtest/protocol';
import { openRegistry } from '../../kernel-lib/src/registry';
import { tempDb, tempDir } from '../helpers';

const frames = (parts: (string | Buffer)[]) => parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));

function iopub(type: string, content: { [key: string]: unknown }): Message {
  return newMessage('session', type, content);
}

describe('Jupyter wire format', () => {
  it('signs with HMAC-SHA256 and verifies what it receives, identities and all', () => {
    const message = newMessage('s1', 'execute_request', { code: 'console.log("é")' });
    const wire = frames(encode('secret', message, [Buffer.from('peer-1')]));
    expect(wire[0].toString()).toBe('peer-1');
    expect(wire[1].toString()).toBe('<IDS|MSG>');
    const back = decode('secret', wire);
    expect(back.header).toEqual(message.header);
    expect(back.content).toEqual({ code: 'console.log("é")' });
  });

  it('rejects a changed message, a wrong key and a missing delimiter', () => {
    const wire = frames(encode('secret', newMessage('s1', 'kernel_info_request', {})));
    expect(() => decode('other-key', wire)).toThrow(ProtocolError);
    const tampered = [...wire];
    tampered[5] = Buffer.from('{"code":"process.exit(1)"}');
    expect(() => decode('secret', tampered)).toThrow(/invalid HMAC-SHA256 signature/);
    expect(() => decode('secret', wire.slice(1))).toThrow(/malformed/);
  });
});

describe('iopub messages to nbformat outputs', () => {
  it('coalesces streams per name and resolves carriage returns', () => {
    const cell = new NotebookOutputs().cell();
    cell.handle(iopub('stream', { name: 'stdout', text: 'epoch 1\r' }));
    cell.handle(iopub('stream', { name: 'stdout', text: 'epoch 2\rdone\n' }));
    cell.handle(iopub('stream', { name: 'stderr', text: 'warn\n' }));
    cell.handle(iopub('stream', { name: 'stdout', text: 'after\n' }));
    expect(cell.finish()).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'done\n' },
      { output_type: 'stream', name: 'stderr', text: 'warn\n' },
      { output_type: 'stream', name: 'stdout', text: 'after\n' },
    ]);
    expect(cell.stderr).toBe('warn\n');
  });

  it('applies update_display_data to the display with that id, also in an earlier cell, and drops transient', () => {
    const notebook = new NotebookOutputs();
    const first = notebook.cell();
    first.handle(iopub('display_data', { data: { 'text/plain': 'step 1' }, metadata: {}, transient: { display_id: 'p' } }));
    first.handle(iopub('display_data', { data: { 'text/html': '<b>x</b>' }, metadata: {}, transient: {} }));
    const second = notebook.cell();
    second.handle(iopub('update_display_data', { data: { 'text/plain': 'step 2' }, metadata: { a: 1 }, transient: { display_id: 'p' } }));
    second.handle(iopub('update_display_data', { data: { 'text/plain': 'nobody' }, metadata: {}, transient: { display_id: 'unknown' } }));
    second.handle(iopub('execute_result', { execution_count: 4, data: { 'text/plain': '42' }, metadata: {} }));
    expect(first.finish()).toEqual([
      { output_type: 'display_data', data: { 'text/plain': 'step 2' }, metadata: { a: 1 } },
      { output_type: 'display_data', data: { 'text/html': '<b>x</b>' }, metadata: {} },
    ]);
    expect(second.finish()).toEqual([{ output_type: 'execute_result', execution_count: 4, data: { 'text/plain': '42' }, metadata: {} }]);
  });

  it('clear_output(wait=true) clears when the next output arrives; wait=false at once; errors are outputs', () => {
    const cell = new NotebookOutputs().cell();
    cell.handle(iopub('stream', { name: 'stdout', text: 'old\n' }));
    cell.handle(iopub('clear_output', { wait: true }));
    expect(cell.outputs).toHaveLength(1);
    cell.handle(iopub('stream', { name: 'stdout', text: 'new\n' }));
    expect(cell.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new\n' }]);
    cell.handle(iopub('clear_output', { wait: false }));
    expect(cell.outputs).toEqual([]);
    cell.handle(iopub('error', { ename: 'TypeError', evalue: 'x is undefined', traceback: ['\x1b[31mTypeError\x1b[0m: x is undefined'] }));
    expect(cell.finish()).toEqual([{ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined', traceback: ['\x1b[31mTypeError\x1b[0m: x is undefined'] }]);
    expect(cell.errors).toHaveLength(1);
  });
});

describe('parameters', () => {
  it('parses values as JSON when they can be, else as strings, and emits assignments', () => {
    const params = parseParameterPairs(['lr=0.01', 'name=mnist', 'layers=[64,32]', 'flag=true', 'quoted="7"', 'eq=a=b']);
    expect(params).toEqual({ lr: 0.01, name: 'mnist', layers: [64, 32], flag: true, quoted: '7', eq: 'a=b' });
    expect(parameterSource({ lr: 0.01, name: 'mnist' })).toBe('lr = 0.01;\nname = "mnist";');
  });

  it('fails a notebook given parameters but no cell tagged parameters, without starting a kernel', async () => {
    const result = await executeNotebook(join(__dirname, '..', 'fixtures', 'notebooks', 'failing', 'runtime-error.ipynb'), { parameters: { lr: 0.1 } });
    expect(result.error).toMatch(/^parameters were given \(lr\) but no code cell is tagged `parameters`/);
    expect(result).toMatchObject({ kernelPid: null, cells: [], failedCell: null });
  });

  it('refuses a pair without = and a name that is not an identifier', () => {
    expect(() => parseParameterPairs(['lr'])).toThrow(/expected key=value/);
    expect(() => parseParameterPairs(['learning-rate=1'])).toThrow(LabbookError);
  });
});

describe('finding notebooks', () => {
  it('takes every .ipynb under a folder, sorted, skipping .ipynb_checkpoints', () => {
    const dir = tempDir('labbook-nbfind-');
    mkdirSync(join(dir, 'b', '.ipynb_checkpoints'), { recursive: true });
    for (const f of ['b/z.ipynb', 'a.ipynb', 'b/.ipynb_checkpoints/z-checkpoint.ipynb', 'notes.md']) writeFileSync(join(dir, f), '{}');
    expect(findNotebooks([dir])).toEqual([join(dir, 'a.ipynb'), join(dir, 'b', 'z.ipynb')]);
    expect(() => findNotebooks([join(dir, 'b', '.ipynb_checkpoints', '..', '..', 'missing')])).toThrow(/Invalid value for `PATH`/);
    const empty = tempDir('labbook-nbfind-');
    expect(() => findNotebooks([empty])).toThrow(/No notebooks found/);
  });
});

/** Records what a notebook would: seeded runs, with checkpoints from `bytes`. */
function record(db: string, runs: { experiment: string; seed: number; lr: number; bytes?: number[] }[]): void {
  const registry = openRegistry({ db });
  for (const r of runs) {
    const run = registry.startRun({ experiment: r.experiment, config: { lr: r.lr }, seed: r.seed });
    run.log({ loss: r.bytes ? r.bytes[0] / 10 : 1 }, 0);
    if (r.bytes) run.saveCheckpoint(new Uint8Array(r.bytes), { step: 1 });
    run.end();
  }
  registry.close();
}

describe('the reproducibility gate', () => {
  const labels: [string, string] = ['execution 1', 'execution 2'];

  it('passes when runs matched by identity, in recording order, end on the same checkpoint; runs without checkpoints are not gated', () => {
    const [a, b] = [tempDb(), tempDb()];
    record(a, [{ experiment: 'e', seed: 1, lr: 0.1, bytes: [1] }, { experiment: 'e', seed: 1, lr: 0.1, bytes: [2] }, { experiment: 'f', seed: 2, lr: 0.1 }]);
    // Another order across identities; the same order within one.
    record(b, [{ experiment: 'f', seed: 2, lr: 0.1 }, { experiment: 'e', seed: 1, lr: 0.1, bytes: [1] }, { experiment: 'e', seed: 1, lr: 0.1, bytes: [2] }]);
    const check = compareRuns(readRuns(a), readRuns(b), labels);
    expect(check.status).toBe('passed');
    expect(check.pairs.map((p) => p.runs)).toEqual([[1, 2], [2, 3]]);
    expect(check.ungated).toBe(1);
  });

  it('fails with a readable diff when a matched pair ends on another checkpoint', () => {
    const [a, b] = [tempDb(), tempDb()];
    record(a, [{ experiment: 'e', seed: 1, lr: 0.1, bytes: [1, 2] }]);
    record(b, [{ experiment: 'e', seed: 1, lr: 0.1, bytes: [9, 2] }]);
    const check = compareRuns(readRuns(a), readRuns(b), labels);
    expect(check.status).toBe('failed');
    expect(check.pairs[0].equal).toBe(false);
    expect(check.pairs[0].diff?.metrics.loss.values).toEqual([0.1, 0.9]);
    expect(check.reason).toMatch(/1 of 1 checkpointed run\(s\) end on a different checkpoint/);
    expect(check.report).toMatch(/run 1 \(execution 1\) vs run 1 \(execution 2\), experiment e, seed 1: final checkpoints differ/);
    expect(check.report).toMatch(/final checkpoint: [0-9a-f]{64} {2}vs {2}[0-9a-f]{64}/);
  });

  it('fails when a checkpointed run has no counterpart, showing the nearest run of the same experiment', () => {
    const [a, b] = [tempDb(), tempDb()];
    record(a, [{ experiment: 'e', seed: 11, lr: 0.1, bytes: [1] }]);
    record(b, [{ experiment: 'e', seed: 12, lr: 0.1, bytes: [1] }]);
    const check = compareRuns(readRuns(a), readRuns(b), labels);
    expect(check.status).toBe('failed');
    expect(check.unmatched).toHaveLength(1);
    expect(check.report).toMatch(/no run with the same identity/);
    expect(check.report).toMatch(/seed: 11 {2}vs {2}12/);
  });

  it('is skipped when nothing was checkpointed', () => {
    const [a, b] = [tempDb(), tempDb()];
    record(a, [{ experiment: 'e', seed: 1, lr: 0.1 }]);
    record(b, [{ experiment: 'e', seed: 1, lr: 0.1 }]);
    expect(compareRuns(readRuns(a), readRuns(b), labels)).toMatchObject({ status: 'skipped', ungated: 1 });
    expect(readRuns(join(tmpdir(), 'no-such-registry.db'))).toEqual([]);
  });
});
