// env.reproducibility: what a run's bit-identity promise covers, by backend, and how two promises differ.
import { afterEach, describe, expect, it } from 'vitest';
import { captureEnvironment, describePromise, promiseDifferences, promiseScope, registerEnvProvider } from '../../kernel-lib/src/repro';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function promiseOn(backend: string | null) {
  if (backend !== null) cleanups.push(registerEnvProvider('backend', () => ({ name: backend })));
  const promise = captureEnvironment().reproducibility;
  cleanups.splice(0).forEach((c) => c());
  return promise;
}

describe('the reproducibility promise a run records', () => {
  it('cpu and wasm promise any OS and architecture on the same backend and tfjs/Node major.minor', () => {
    for (const backend of ['cpu', 'wasm']) {
      const p = promiseOn(backend);
      expect(p).toMatchObject({ backend, platform: process.platform, arch: process.arch, node: process.version, tfjs: '4.22.0', isaBaseline: null, cpu: null, within: ['backend', 'tfjs', 'node'] });
      expect(p.covers).toBe(`the same final checkpoint SHA-256 for the same code, config, seed and data on the ${backend} backend, on any OS and architecture, with tfjs 4.22.x and Node ${process.version.slice(1).split('.').slice(0, 2).join('.')}.x`);
      expect(p.excludes).toBe('another backend; another tfjs or Node major.minor');
    }
  });

  it('a library that picks kernels by CPU (tensorflow) promises one CPU model on one OS and architecture', () => {
    const p = promiseOn('tensorflow');
    expect(p.within).toEqual(['platform', 'arch', 'backend', 'cpu', 'tfjs', 'node']);
    expect(p.cpu).not.toBeNull();
    expect(p.excludes).toMatch(/^another CPU model/);
  });

  it('differences are named only in covered fields; versions by major.minor', () => {
    const cpu = promiseOn('cpu');
    expect(promiseDifferences(cpu, { ...cpu, platform: 'darwin', arch: 'arm64', node: `${process.version}9`, labbook: '9.9.9' })).toEqual([]);
    expect(promiseDifferences(cpu, { ...cpu, backend: 'wasm', within: ['backend', 'tfjs', 'node'], tfjs: '4.23.0' })).toEqual(['backend: cpu vs wasm', 'tfjs major.minor: 4.22 vs 4.23']);
    // Against a native promise its covered fields count too: another OS is outside it.
    const native = { ...cpu, backend: 'native', isaBaseline: 'x86-64-v3', platform: 'darwin', within: ['platform', 'arch', 'backend', 'isaBaseline', 'kernels', 'tfjs', 'node'] };
    expect(promiseDifferences(native, cpu)).toEqual([`OS: darwin vs ${process.platform}`, 'backend: native vs cpu', 'ISA baseline: x86-64-v3 vs none']);
    expect(describePromise(native)).toBe(`darwin ${process.arch} native x86-64-v3 with tfjs 4.22.0, Node ${process.version}`);
    expect(promiseScope(cpu)).toBe('bit-identity is promised only within the same backend, tfjs major.minor and Node major.minor');
  });
});
