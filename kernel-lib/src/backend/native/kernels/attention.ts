/**
 * Native kernels: multi-head scaled dot-product attention with a key padding mask, forward and
 * backward. labbook's own kernels (tfjs has none): models/layers/attention.ts calls them through
 * tf.customGrad on backends that register them, and runs tfjs's composition everywhere else.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, uninitialized, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/attention.cc). */
export interface AttentionAddon {
  /** qkv [B, T, 3 * H * dk] (q, k, v side by side), mask [B, T]; fills probs [B, H, T, T] and ctx [B, T, H * dk]. */
  attentionForward(qkv: Float32Array, mask: Float32Array, probs: Float32Array, ctx: Float32Array, b: number, t: number, h: number, dk: number, scale: number): void;
  /** Fills dqkv (laid out like qkv) from dctx and the forward pass's probs. */
  attentionBackward(dctx: Float32Array, qkv: Float32Array, probs: Float32Array, dqkv: Float32Array, b: number, t: number, h: number, dk: number, scale: number): void;
}

/** Inputs qkv [B, T, 3d] (q, k, v side by side), mask [B, T]; attrs heads, scale; outputs context [B, T, d], probs [B, H, T, T]. */
export const ATTENTION_KERNEL = 'LabbookAttention';
/** Inputs dy, qkv, probs; attrs heads, scale; output dqkv. */
export const ATTENTION_GRAD_KERNEL = 'LabbookAttentionGrad';

export interface AttentionAttrs {
  heads: number;
  /** Multiplies the logits, as a float32 (1 / sqrt(d / heads) in the layer). */
  scale: number;
}

function dims(kernel: string, qkv: TensorInfo, heads: number, ...rest: TensorInfo[]): [number, number, number, number] {
  if (!allFloat32(qkv, ...rest)) throw new Error(`${kernel}: expected float32 tensors, received ${[qkv, ...rest].map((t) => t.dtype).join(', ')}`);
  const [b, t, d3] = qkv.shape;
  if (qkv.shape.length !== 3 || !Number.isSafeInteger(heads) || heads < 1 || d3 % (3 * heads) !== 0) {
    throw new Error(`${kernel}: expected qkv [batch, steps, 3d] with d a multiple of heads (${heads}), received [${qkv.shape}]`);
  }
  return [b, t, heads, d3 / 3 / heads];
}

function attention({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { qkv, mask } = inputs as { [name: string]: TensorInfo };
  const { heads, scale } = attrs as unknown as AttentionAttrs;
  const [b, t, h, dk] = dims(ATTENTION_KERNEL, qkv, heads, mask);
  const nb = backend as Backend;
  const probs = uninitialized(nb, b * h * t * t);
  const ctx = uninitialized(nb, b * t * h * dk);
  nb.addon.attentionForward(f32(nb, qkv), f32(nb, mask), probs, ctx, b, t, h, dk, scale);
  return [output(nb, [b, t, h * dk], ctx), output(nb, [b, h, t, t], probs)];
}

function attentionGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, qkv, probs } = inputs as { [name: string]: TensorInfo };
  const { heads, scale } = attrs as unknown as AttentionAttrs;
  const [b, t, h, dk] = dims(ATTENTION_GRAD_KERNEL, qkv, heads, dy, probs);
  const nb = backend as Backend;
  const dqkv = uninitialized(nb, 3 * b * t * h * dk);
  nb.addon.attentionBackward(f32(nb, dy), f32(nb, qkv), f32(nb, probs), dqkv, b, t, h, dk, scale);
  return output(nb, qkv.shape, dqkv);
}

export const attentionKernels: NativeKernel[] = [
  { kernelName: ATTENTION_KERNEL, kernelFunc: attention },
  { kernelName: ATTENTION_GRAD_KERNEL, kernelFunc: attentionGrad },
];
