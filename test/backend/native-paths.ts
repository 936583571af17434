/** One computation on every native instruction path and thread count: the tests that prove the native kernels give the same bits everywhere. */
import { afterAll, expect } from 'vitest';
import { loadNativeAddon, type NativeAddon, type NativeIsa } from '../../kernel-lib/src/backend/native';

export const loaded = loadNativeAddon();
export const addon = (loaded.ok ? loaded.addon : null) as NativeAddon;
/** The paths this CPU can take, the scalar reference first. */
export const ISAS: NativeIsa[] = ['scalar', 'avx2', ...(loaded.ok && addon.info().avx512 ? (['avx512'] as const) : [])];
const THREADS = [1, 2, 4];

/** Arrays' exact bits, as one comparable string. */
export function bits(...arrays: Float32Array[]): string {
  return arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')).join('/');
}

/** `compute`'s result on the scalar path (one thread) and every other path at 1, 2 and 4 threads, keyed 'isa xN'. */
export function everywhere(compute: () => string): { [path: string]: string } {
  const out: { [path: string]: string } = {};
  for (const isa of ISAS) {
    for (const threads of isa === 'scalar' ? [1] : THREADS) {
      expect(addon.setIsa(isa)).toBe(true);
      addon.setThreads(threads);
      out[`${isa} x${threads}`] = compute();
    }
  }
  return out;
}

/** Every path's result equals the scalar reference's (the message names any that differ). */
export function expectOneResult(results: { [path: string]: string }, label?: string): void {
  const reference = results['scalar x1'];
  expect(results, label).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, reference])));
}

/** Call in a describe block that changes paths: the addon's own path and threads come back after it. */
export function restorePathAfterAll(): void {
  const initial = loaded.ok ? addon.info() : null;
  afterAll(() => {
    if (initial === null) return;
    addon.setIsa(initial.isa);
    addon.setThreads(initial.threads);
  });
}
