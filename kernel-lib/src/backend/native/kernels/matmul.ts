/** MatMul kernels on labbook's GEMM: BatchMatMul and _FusedMatMul (bias + activation), which dense layers and attention run on. */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, size, uninitialized, withFallback, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/matmul.cc). */
export interface MatmulAddon {
  /** out[i] = op(a[i % batchA]) · op(b[i % batchB]) for i < batch (batchA, batchB: 1 or batch). */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, batch: number, batchA: number, batchB: number, m: number, n: number, k: number, transA: number, transB: number): void;
  /** out = activation(out + bias) in place; bias: one value, one per column, or none (size 0). */
  biasActivation(out: Float32Array, bias: Float32Array, biasSize: number, activation: number, leakyreluAlpha: number): void;
}

/** Activations the addon applies in place after the product (index = the code it takes). */
export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;

type Product = { out: Float32Array; shape: number[] };

/** op(a) · op(b) over broadcast batch dims, or null where tfjs's own kernel should decide (and explain) instead. */
function product(backend: Backend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Product | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (k !== kb || !(batchA === batchB || batchA === 1 || batchB === 1)) return null;
  const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = Math.max(batchA, batchB);
  const out = uninitialized(backend, batch * m * n);
  backend.addon.matmul(f32(backend, a), f32(backend, b), out, batch, batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0);
  return { out, shape: [...outer, m, n] };
}

function batchMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (!allFloat32(a, b)) return null;
  const p = product(backend as Backend, a, b, transposeA, transposeB);
  return p === null ? null : output(backend as Backend, p.shape, p.out);
}

/** The product, then bias (one per column, or a scalar) and an activation in one native pass. */
function fusedMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as {
    transposeA: boolean;
    transposeB: boolean;
    activation: string;
    leakyreluAlpha?: number;
  };
  const code = (ACTIVATIONS as readonly string[]).indexOf(activation);
  if (code < 0 || preluActivationWeights != null || !allFloat32(a, b, bias)) return null;
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const biasSize = bias == null ? 0 : size(bias.shape);
  // Bias broadcast along rows only (its shape ends in n or is a scalar); other shapes go to cpu.
  if (bias != null && !(biasSize === 1 || (biasSize === n && bias.shape[bias.shape.length - 1] === n))) return null;
  const nb = backend as Backend;
  const p = product(nb, a, b, transposeA, transposeB);
  if (p === null) return null;
  const empty = new Float32Array(0);
  nb.addon.biasActivation(p.out, bias == null ? empty : f32(nb, bias), biasSize, code, leakyreluAlpha ?? 0.2);
  return output(nb, p.shape, p.out);
}

export const matmulKernels: NativeKernel[] = [
  { kernelName: 'BatchMatMul', kernelFunc: withFallback('BatchMatMul', batchMatMul) },
  { kernelName: '_FusedMatMul', kernelFunc: withFallback('_FusedMatMul', fusedMatMul) },
];
