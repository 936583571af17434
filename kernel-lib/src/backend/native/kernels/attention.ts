/**
 * Native kernels: multi-head scaled dot-product attention with a key padding mask, forward and
 * backward. labbook's own kernels (tfjs has none): models/layers/attention.ts calls them through
 * tf.customGrad on backends that register them, and runs tfjs's composition everywhere else.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/attention.cc). */
export interface AttentionAddon {
  /** q, k, v, ctx [B, T, H * dk], mask [B, T]; fills probs [B, H, T, T] and ctx. */
  attentionForward(
    q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array, probs: Float32Array, ctx: Float32Array,
    b: number, t: number, h: number, dk: number, scale: number,
  ): void;
  /** Fills dq, dk, dv [B, T, H * dk] from dctx and the forward pass's probs. */
  attentionBackward(
    dctx: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, probs: Float32Array,
    dq: Float32Array, dkey: Float32Array, dv: Float32Array, b: number, t: number, h: number, dk: number, scale: number,
  ): void;
}

/** Inputs q, k, v [B, T, d], mask [B, T]; attrs heads, scale; outputs context [B, T, d], probs [B, H, T, T]. */
export const ATTENTION_KERNEL = 'LabbookAttention';
/** Inputs dy, q, k, v, probs; attrs heads, scale; outputs dq, dk, dv. */
export const ATTENTION_GRAD_KERNEL = 'LabbookAttentionGrad';

export interface AttentionAttrs {
  heads: number;
  /** Multiplies the logits, as a float32 (1 / sqrt(d / heads) in the layer). */
  scale: number;
}

function dims(kernel: string, q: TensorInfo, heads: number, ...rest: TensorInfo[]): [number, number, number, number] {
  if (!allFloat32(q, ...rest)) throw new Error(`${kernel}: expected float32 tensors, received ${[q, ...rest].map((t) => t.dtype).join(', ')}`);
  const [b, t, d] = q.shape;
  if (q.shape.length !== 3 || !Number.isSafeInteger(heads) || heads < 1 || d % heads !== 0) {
    throw new Error(`${kernel}: expected q [batch, steps, d] with d a multiple of heads (${heads}), received [${q.shape}]`);
  }
  return [b, t, heads, d / heads];
}

function attention({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { q, k, v, mask } = inputs as { [name: string]: TensorInfo };
  const { heads, scale } = attrs as unknown as AttentionAttrs;
  const [b, t, h, dk] = dims(ATTENTION_KERNEL, q, heads, k, v, mask);
  const nb = backend as Backend;
  const probs = new Float32Array(b * h * t * t);
  const ctx = new Float32Array(b * t * h * dk);
  nb.addon.attentionForward(f32(nb, q), f32(nb, k), f32(nb, v), f32(nb, mask), probs, ctx, b, t, h, dk, scale);
  return [output(nb, q.shape, ctx), output(nb, [b, h, t, t], probs)];
}

function attentionGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { dy, q, k, v, probs } = inputs as { [name: string]: TensorInfo };
  const { heads, scale } = attrs as unknown as AttentionAttrs;
  const [b, t, h, dk] = dims(ATTENTION_GRAD_KERNEL, q, heads, dy, k, v, probs);
  const nb = backend as Backend;
  const n = b * t * h * dk;
  const dq = new Float32Array(n);
  const dkey = new Float32Array(n);
  const dv = new Float32Array(n);
  nb.addon.attentionBackward(f32(nb, dy), f32(nb, q), f32(nb, k), f32(nb, v), f32(nb, probs), dq, dkey, dv, b, t, h, dk, scale);
  return [output(nb, q.shape, dq), output(nb, q.shape, dkey), output(nb, q.shape, dv)];
}

export const attentionKernels: NativeKernel[] = [
  { kernelName: ATTENTION_KERNEL, kernelFunc: attention },
  { kernelName: ATTENTION_GRAD_KERNEL, kernelFunc: attentionGrad },
];
