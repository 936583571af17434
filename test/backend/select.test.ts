import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { availableBackends, initBackend } from '../../kernel-lib/src/backend';
import { ENABLE_HINT } from '../../kernel-lib/src/backend/native';
import { selectBackend } from '../../kernel-lib/src/backend/select';
import { LabbookError } from '../../kernel-lib/src/errors';
import { fakeProject } from './fake-packages';

const GPU = '@tensorflow/tfjs-node-gpu';
const NODE = '@tensorflow/tfjs-node';
const savedEnv = { LABBOOK_BACKEND: process.env.LABBOOK_BACKEND, TF_DETERMINISTIC_OPS: process.env.TF_DETERMINISTIC_OPS };

beforeEach(() => {
  delete process.env.LABBOOK_BACKEND;
});

afterEach(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  // Each scenario's fake native package registered its own 'tensorflow' backend.
  if (tf.engine().findBackendFactory('tensorflow') !== null) tf.removeBackend('tensorflow');
});

/** Everything the code under test printed to the console. */
async function printed<T>(body: () => Promise<T>): Promise<{ result: T; output: unknown[][] }> {
  const output: unknown[][] = [];
  const spies = (['log', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args) => void output.push(args)));
  try {
    return { result: await body(), output };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

async function rejection(promise: Promise<unknown>): Promise<LabbookError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LabbookError);
  return err as LabbookError;
}

describe('automatic selection on this machine', () => {
  it('skips the missing GPU package and the tfjs-node alias quietly, without loading the alias, and starts native', async () => {
    const { result: info, output } = await printed(() => initBackend());
    expect(output).toEqual([]);
    expect(info.name).toBe('native');
    expect(tf.getBackend()).toBe('native');
    expect(info.selectedBy).toBe('labbook');
    expect(info.skipped).toEqual([
      { backend: 'tensorflow', package: GPU, reason: 'not installed' },
      { backend: 'tensorflow', package: NODE, reason: 'an npm alias of @tensorflow/tfjs@4.22.0, without native TensorFlow' },
    ]);
    const loaded = Object.keys(createRequire(__filename).cache);
    expect(loaded.some((path) => path.includes(`/node_modules/${NODE}/`))).toBe(false);
    expect(loaded.some((path) => path.endsWith('labbook_native.node'))).toBe(true);
  });

  it('records the native backend with its kernels version, instruction baseline, threads and the kernels it serves', async () => {
    const info = await initBackend({ prefer: 'native' });
    expect(info.versions).toMatchObject({ backendPackage: 'labbook/native', backendVersion: '0.1.0' });
    expect(info.versions.libraries).toMatchObject({ kernels: 'labbook-kernels 3', isaBaseline: 'x86-64-v3' });
    expect(info.versions.libraries!.compiler).toMatch(/^g\+\+ \d+/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.customKernels).toEqual(expect.arrayContaining(['BatchMatMul', '_FusedMatMul', 'LabbookAdamUpdate', 'LabbookLSTM']));
  });

  it('is idempotent: asking again returns the same description and changes nothing', async () => {
    const first = await initBackend();
    const { result: again, output } = await printed(() => initBackend());
    expect(again).toEqual(first);
    expect(output).toEqual([]); // no "kernel already registered" warnings either
  });

  it('runs concurrent calls one at a time, the last one winning', async () => {
    const [a, b, c] = await Promise.all([initBackend({ prefer: 'cpu' }), initBackend(), initBackend({ prefer: 'cpu' })]);
    expect([a.name, b.name, c.name]).toEqual(['cpu', 'native', 'cpu']);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('lists the backends whose packages are really installed', async () => {
    expect(await availableBackends()).toEqual(['native', 'wasm', 'cpu']);
  });
});

describe('selection order with native TensorFlow packages', () => {
  it('prefers tfjs-node-gpu when a GPU answers', async () => {
    const project = fakeProject({ [GPU]: { kind: 'native', gpu: true }, [NODE]: { kind: 'native', gpu: false } });
    const info = await selectBackend({}, { searchPaths: [project] });
    expect(info.name).toBe('tensorflow');
    expect(info.versions).toMatchObject({ backendPackage: GPU, backendVersion: '4.22.0', libtensorflow: '2.9.1' });
    expect(info.flags).toMatchObject({ gpu: true, TF_DETERMINISTIC_OPS: '1' });
    expect(info.skipped).toEqual([]);
  });

  it('takes tfjs-node when the GPU package loads but no GPU answers', async () => {
    const project = fakeProject({ [GPU]: { kind: 'native', gpu: false }, [NODE]: { kind: 'native', gpu: false } });
    const info = await selectBackend({}, { searchPaths: [project] });
    expect(info.versions.backendPackage).toBe(NODE);
    expect(info.flags.gpu).toBe(false);
    expect(info.skipped).toEqual([{ backend: 'tensorflow', package: GPU, reason: 'loaded, but no GPU device answered' }]);
  });

  it('keeps the GPU package on the CPU when tfjs-node is absent (libtensorflow still beats wasm)', async () => {
    const project = fakeProject({ [GPU]: { kind: 'native', gpu: false } });
    const info = await selectBackend({}, { searchPaths: [project] });
    expect(info.name).toBe('tensorflow');
    expect(info.versions.backendPackage).toBe(GPU);
    expect(info.skipped!.map((s) => s.reason)).toEqual(['loaded, but no GPU device answered', 'not installed']);
  });

  it('falls through to tfjs-node when the GPU package fails to load, and keeps a user-set TF_DETERMINISTIC_OPS', async () => {
    process.env.TF_DETERMINISTIC_OPS = '0';
    const project = fakeProject({ [GPU]: { kind: 'broken' }, [NODE]: { kind: 'native', gpu: false } });
    const info = await selectBackend({}, { searchPaths: [project] });
    expect(info.versions.backendPackage).toBe(NODE);
    expect(info.flags.TF_DETERMINISTIC_OPS).toBe('0');
    expect(info.skipped).toEqual([
      { backend: 'tensorflow', package: GPU, reason: 'failed to load: libtensorflow.so.2: cannot open shared object file: No such file or directory' },
    ]);
  });

  it('skips a package that registers no tensorflow backend with labbook\'s tfjs, then starts native', async () => {
    const project = fakeProject({ [NODE]: { kind: 'silent' } });
    const info = await selectBackend({}, { searchPaths: [project] });
    expect(info.name).toBe('native');
    expect(info.skipped![1]).toMatchObject({ package: NODE, reason: expect.stringContaining('registered no tensorflow backend') });
  });

  it('never loads a package that is an npm alias', async () => {
    const project = fakeProject({ [GPU]: { kind: 'alias' }, [NODE]: { kind: 'alias' } });
    const info = await selectBackend({}, { searchPaths: [project] });
    expect(info.name).toBe('native'); // the aliases' index.js throws if required
  });
});

describe('LABBOOK_BACKEND and options.prefer', () => {
  it.each(['cpu', 'wasm', ' WASM ', 'auto'])('LABBOOK_BACKEND=%j picks that backend', async (value) => {
    process.env.LABBOOK_BACKEND = value;
    const info = await initBackend();
    expect(info.name).toBe({ cpu: 'cpu', wasm: 'wasm', auto: 'native' }[value.trim().toLowerCase()]);
    expect(tf.getBackend()).toBe(info.name);
  });

  it('lets options.prefer win over LABBOOK_BACKEND (a reproduction asks for the recorded backend)', async () => {
    process.env.LABBOOK_BACKEND = 'wasm';
    expect((await initBackend({ prefer: 'cpu' })).name).toBe('cpu');
  });

  it('rejects an unknown LABBOOK_BACKEND, naming the variable, the choices and the fix', async () => {
    process.env.LABBOOK_BACKEND = 'tpu';
    const err = await rejection(initBackend());
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(
      'Invalid value for `LABBOOK_BACKEND`: expected one of "tensorflow", "native", "wasm", "cpu" or "auto", received "tpu". ' +
        'Set LABBOOK_BACKEND to one of them, or leave it unset to pick the fastest available (tensorflow, then native, then wasm, then cpu).',
    );
  });

  it('rejects an unknown or non-string prefer, and options that are not an object', async () => {
    expect((await rejection(initBackend({ prefer: 'gpu' }))).message).toContain('Invalid value for `options.prefer`');
    expect((await rejection(initBackend({ prefer: 3 as unknown as string }))).message).toContain('received 3');
    expect((await rejection(initBackend('wasm' as unknown as object))).message).toContain('Invalid value for `options`');
  });

  it('explains why tensorflow cannot start here and what is available instead', async () => {
    const before = tf.getBackend();
    const err = await rejection(initBackend({ prefer: 'tensorflow' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('Invalid value for `options.prefer`: expected a backend that can start here (native, wasm, cpu), received "tensorflow".');
    expect(err.message).toContain(`${GPU}: not installed; ${NODE}: an npm alias of @tensorflow/tfjs@4.22.0, without native TensorFlow.`);
    expect(err.message).toContain('Install @tensorflow/tfjs-node');
    expect(err.message).toContain('Or choose native or wasm or cpu, or leave `prefer` out to pick the fastest available.');
    expect(tf.getBackend()).toBe(before); // a failed request leaves the running backend alone
  });

  it('still serves later calls after a rejected one', async () => {
    process.env.LABBOOK_BACKEND = 'tensorflow';
    expect((await rejection(initBackend())).message).toContain('unset LABBOOK_BACKEND');
    expect((await initBackend({ prefer: 'wasm' })).name).toBe('wasm');
  });
});

describe('without the native addon', () => {
  // A child process, since this one has loaded the addon: $LABBOOK_NATIVE_ADDON hides it there.
  function selectWithout(prefer: string | null): { status: number | null; stdout: string; stderr: string } {
    const dist = join(__dirname, '..', '..', 'kernel-lib', 'dist', 'backend');
    const script = `require(${JSON.stringify(dist)}).initBackend(${prefer ? `{ prefer: ${JSON.stringify(prefer)} }` : ''})
      .then((info) => console.log(JSON.stringify(info)), (err) => { console.error(err.message); process.exit(3); })`;
    const env: NodeJS.ProcessEnv = { ...process.env, LABBOOK_NATIVE_ADDON: '/nonexistent/labbook_native.node' };
    delete env.LABBOOK_BACKEND;
    return spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 60_000 });
  }

  it('falls back to wasm and records why native was passed over and how to enable it', () => {
    const child = selectWithout(null);
    expect(child.status, child.stderr).toBe(0);
    const info = JSON.parse(child.stdout) as { name: string; skipped: { backend: string; reason: string }[] };
    expect(info.name).toBe('wasm');
    const native = info.skipped.find((s) => s.backend === 'native')!;
    expect(native.reason).toBe(`not built (no /nonexistent/labbook_native.node); to enable it, ${ENABLE_HINT}`);
  });

  it('refuses a request for native with the fix', () => {
    const child = selectWithout('native');
    expect(child.status).toBe(3);
    expect(child.stderr).toContain('expected a backend that can start here (wasm, cpu), received "native"');
    expect(child.stderr).toContain('AVX2 and FMA');
  });
});
