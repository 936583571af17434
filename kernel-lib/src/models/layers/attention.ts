/** Multi-head scaled dot-product self-attention with a key padding mask (LabbookMultiHeadAttention). */
import * as tf from '@tensorflow/tfjs';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, runningBackendHas, type AttentionAttrs } from '../../backend/native';
import { invalidArgument } from '../../errors';
import { checkSeed } from '../../repro/seed';

/** Seeds of the four projection kernels' initializers (biases start at zero). */
export interface AttentionSeeds {
  query: number;
  key: number;
  value: number;
  output: number;
}

export interface MultiHeadAttentionArgs {
  heads: number;
  seeds: AttentionSeeds;
  name?: string;
  trainable?: boolean;
}

/** Added to the logits of padded keys: exp() of it underflows to exactly 0 next to any real key. */
const MASKED_LOGIT = -1e9;

/**
 * Takes [x: [batch, steps, d], mask: [batch, steps]] (1 = token, 0 = padding) and returns
 * [batch, steps, d]: softmax(Q K^T / sqrt(d/heads) + padding bias) V per head, concatenated, then
 * the output projection (Vaswani et al. 2017, section 3.2). Padded keys get no attention weight;
 * padded queries still produce values, which pooling and later layers ignore.
 *
 * Query, value and output projections have biases; the key projection has none (as in Whisper):
 * a key bias adds the same q.b to every logit of a query, which softmax cancels, so its gradient
 * is identically zero and it would be a dead weight. Per block that is 4*d*d + 3*d parameters.
 */
export class MultiHeadAttention extends tf.layers.Layer {
  static readonly className = 'LabbookMultiHeadAttention';
  readonly heads: number;
  readonly seeds: AttentionSeeds;
  private weightsByName: Record<string, tf.LayerVariable> = {};

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    if (typeof args?.heads !== 'number' || !Number.isSafeInteger(args.heads) || args.heads < 1) {
      throw invalidArgument('heads', 'a positive integer', args?.heads);
    }
    this.heads = args.heads;
    const seeds = args.seeds ?? ({} as AttentionSeeds);
    this.seeds = {
      query: checkSeed(seeds.query),
      key: checkSeed(seeds.key),
      value: checkSeed(seeds.value),
      output: checkSeed(seeds.output),
    };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = modelWidth(inputShape);
    if (d % this.heads !== 0) {
      throw invalidArgument('heads', `a divisor of the model width (${d}): heads must divide dModel`, this.heads);
    }
    const kernel = (name: keyof AttentionSeeds): void => {
      const init = tf.initializers.glorotUniform({ seed: this.seeds[name] });
      this.weightsByName[`${name}/kernel`] = this.addWeight(`${name}/kernel`, [d, d], 'float32', init, undefined, true);
    };
    const bias = (name: keyof AttentionSeeds): void => {
      const init = tf.initializers.zeros();
      this.weightsByName[`${name}/bias`] = this.addWeight(`${name}/bias`, [d], 'float32', init, undefined, true);
    };
    kernel('query');
    bias('query');
    kernel('key');
    kernel('value');
    bias('value');
    kernel('output');
    bias('output');
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return Array.isArray(inputShape[0]) ? (inputShape[0] as tf.Shape) : (inputShape as tf.Shape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw invalidArgument('inputs', '[x, mask] for MultiHeadAttention', inputs);
    }
    const [x, mask] = inputs;
    return tf.tidy(() => {
      const [batch, steps, d] = x.shape as [number, number, number];
      const h = this.heads;
      const k = d / h;
      const w = (name: string): tf.Tensor => this.weightsByName[name].read();
      const flat = tf.reshape(x, [batch * steps, d]);
      const fused = runningBackendHas(ATTENTION_KERNEL) && x.dtype === 'float32' && mask.dtype === 'float32';
      // x W + b: on native one _FusedMatMul (the same float adds as an Add after the product, one
      // kernel and one pass fewer); elsewhere matMul then add, as before.
      const affine = (input: tf.Tensor, name: keyof AttentionSeeds, withBias: boolean): tf.Tensor => {
        const bias = withBias ? w(`${name}/bias`) : undefined;
        if (fused) return tf.fused.matMul({ a: input, b: w(`${name}/kernel`), bias });
        const y = tf.matMul(input, w(`${name}/kernel`));
        return bias ? tf.add(y, bias) : y;
      };
      const projection = (name: keyof AttentionSeeds, withBias: boolean): tf.Tensor => affine(flat, name, withBias);
      const scale = 1 / Math.sqrt(k);
      let context: tf.Tensor;
      if (fused) {
        // q, k and v from one product with the kernels side by side (each output the same fma
        // chain as its own product), then one kernel per direction (see native/src/attention.cc).
        const kernel = sideBySide([w('query/kernel'), w('key/kernel'), w('value/kernel')]);
        const bias = sideBySide([w('query/bias'), tf.zeros([d]), w('value/bias')]);
        const qkv = tf.reshape(tf.fused.matMul({ a: flat, b: kernel, bias }), [batch, steps, 3 * d]);
        context = tf.reshape(fusedAttention(qkv, mask, { heads: h, scale }), [batch * steps, d]);
      } else {
        // [batch * steps, d] -> [batch, heads, steps, d / heads]
        const heads = (y: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(y, [batch, steps, h, k]), [0, 2, 1, 3]);
        const q = heads(projection('query', true));
        const key = heads(projection('key', false));
        const v = heads(projection('value', true));
        const logits = tf.mul(tf.matMul(q, key, false, true), scale);
        const padding = tf.reshape(tf.mul(tf.sub(1, mask), MASKED_LOGIT), [batch, 1, 1, steps]);
        const attention = tf.softmax(tf.add(logits, padding));
        context = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [batch * steps, d]);
      }
      const out = affine(context, 'output', true);
      return tf.reshape(out, [batch, steps, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, seeds: { ...this.seeds } };
  }
}
tf.serialization.registerClass(MultiHeadAttention);

/**
 * concat(parts, last axis) whose gradient is one Slice per part: tfjs's Concat gradient is a
 * SplitV, which the native backend leaves to the cpu kernel, and that slices columns element by
 * element (~7 ms for a [64, 192] gradient).
 */
function sideBySide(parts: tf.Tensor[]): tf.Tensor {
  const join = tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, parts.length) as tf.Tensor[];
    return {
      value: tf.concat(inputs, -1),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        const last = g.rank - 1;
        let offset = 0;
        return inputs.map((part) => {
          const begin = g.shape.map((_, i) => (i === last ? offset : 0));
          offset += part.shape[last];
          return tf.slice(g, begin, part.shape);
        });
      },
    };
  });
  return join(...parts);
}

/** Attention of qkv [batch, steps, 3d] under `mask` with its gradient, both as single native kernels. */
function fusedAttention(qkv: tf.Tensor, mask: tf.Tensor, attrs: AttentionAttrs): tf.Tensor {
  const named = attrs as unknown as tf.NamedAttrMap;
  // The mask is closed over, not an input: it comes from the token ids and takes no gradient.
  const attend = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const [context, probs] = tf.engine().runKernel(ATTENTION_KERNEL, { qkv: input, mask }, named) as tf.Tensor[];
    save([input, probs]);
    return {
      value: context,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sqkv, sp] = saved;
        return tf.engine().runKernel(ATTENTION_GRAD_KERNEL, { dy: dy as tf.Tensor, qkv: sqkv, probs: sp }, named) as tf.Tensor;
      },
    };
  });
  return attend(qkv);
}

function modelWidth(inputShape: tf.Shape | tf.Shape[]): number {
  const x = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  const d = x[x.length - 1];
  if (x.length !== 3 || typeof d !== 'number') {
    throw invalidArgument('inputShape', '[[batch, steps, d], [batch, steps]] with a known d', inputShape);
  }
  return d;
}
