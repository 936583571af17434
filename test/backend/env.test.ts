import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { currentBackendInfo, initBackend } from '../../kernel-lib/src/backend';
import { captureEnvironment } from '../../kernel-lib/src/repro/env';

const root = resolve(__dirname, '../..');
const backendSection = () => captureEnvironment({ projectRoot: root }).backend;

const WASM_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum'];

// These run in order, in a process where no backend has started yet.
describe('the backend section of every run environment', () => {
  it('is null before any backend has started, and recording it starts none', () => {
    expect(backendSection()).toBeNull();
    expect(tf.engine().backendName).toBeFalsy();
  });

  it('loads the wasm binaries from the installed package, fetching nothing', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(() => {
      throw new Error('fetch called');
    });
    try {
      expect((await initBackend({ prefer: 'wasm' })).name).toBe('wasm');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('records the wasm backend labbook chose: pinned flags, versions, one thread, its own kernels', async () => {
    await initBackend({ prefer: 'wasm' });
    expect(backendSection()).toEqual({
      name: 'wasm',
      selectedBy: 'labbook',
      flags: {
        DEBUG: false,
        epsilon: 1e-7,
        floatPrecision: 32,
        // Node 20's V8 validates wasm SIMD, so the SIMD binary is the one that runs.
        WASM_HAS_SIMD_SUPPORT: true,
        WASM_HAS_MULTITHREAD_SUPPORT: false,
        wasmBinary: 'tfjs-backend-wasm-simd.wasm',
      },
      versions: { tfjsCore: '4.22.0', backendPackage: '@tensorflow/tfjs-backend-wasm', backendVersion: '4.22.0' },
      threads: 1,
      customKernels: WASM_KERNELS,
    });
  });

  it('records the automatic choice with what it passed over', async () => {
    await initBackend();
    const section = backendSection() as { name: string; skipped: { package: string }[] };
    expect(section.name).toBe('native');
    expect(section.skipped.map((s) => s.package)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('follows a switch to cpu', async () => {
    await initBackend({ prefer: 'cpu' });
    expect(backendSection()).toEqual({
      name: 'cpu',
      selectedBy: 'labbook',
      flags: { DEBUG: false, epsilon: 1e-7, floatPrecision: 32 },
      versions: { tfjsCore: '4.22.0', backendPackage: '@tensorflow/tfjs-backend-cpu', backendVersion: '4.22.0' },
      threads: 1,
      customKernels: [],
    });
  });

  it('tells a backend set behind labbook\'s back (tf.setBackend) from one labbook chose', async () => {
    await tf.setBackend('wasm');
    expect(backendSection()).toMatchObject({ name: 'wasm', selectedBy: 'tfjs', customKernels: WASM_KERNELS });
    expect(currentBackendInfo()!.versions.backendPackage).toBe('@tensorflow/tfjs-backend-wasm');
  });

  it('records flags as they are now, e.g. DEBUG switched on after the choice', async () => {
    await initBackend({ prefer: 'cpu' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined); // tfjs announces debug mode
    tf.env().set('DEBUG', true);
    try {
      expect((backendSection() as { flags: { DEBUG: boolean } }).flags.DEBUG).toBe(true);
    } finally {
      tf.env().set('DEBUG', false);
      warn.mockRestore();
    }
  });
});
