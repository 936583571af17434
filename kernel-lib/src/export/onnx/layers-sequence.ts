/** Converters of the transformer's layers: padding mask, token embedding, positional encoding, attention, layer norm, pooling. */
import { configOf, need, refuse, weightsOf, type LayerConverter } from './common';

export const paddingMask: LayerConverter = (g, layer, [ids]) => {
  const isPad = g.op('Equal', [ids, g.floats(`${layer.name}/zero`, [0], [])], `${layer.name}/is_padding`);
  return g.op('Cast', [g.op('Not', [isPad], `${layer.name}/is_token`)], layer.name, { to: 1 });
};

/** labbook's TokenEmbedding and tfjs's Embedding: a Gather of the table by the ids cast to integers (truncating, as tfjs's cast does). */
export const embedding: LayerConverter = (g, layer, [ids]) => {
  const table = need(weightsOf(layer).get('embeddings'), layer, 'an embeddings table');
  const index = g.op('Cast', [ids], `${layer.name}/ids`, { to: 7 });
  return g.op('Gather', [g.weight(`${layer.name}/embeddings`, table.values, table.shape), index], layer.name, { axis: 0 });
};

export const positionalEncoding: LayerConverter = (g, layer, [x], [shape]) => {
  const [, steps, d] = shape;
  if (typeof steps !== 'number' || typeof d !== 'number') throw refuse(layer, 'an input of known [batch, steps, d]', `[${shape.join(', ')}]`);
  // The same table, computed the same way, as PositionalEncoding.encoding().
  const table = new Float32Array(steps * d);
  for (let pos = 0; pos < steps; pos++) {
    for (let i = 0; i < d; i++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
      table[pos * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  const scaled = configOf(layer).scale === false ? x : g.op('Mul', [x, g.floats(`${layer.name}/sqrt_d`, [Math.sqrt(d)], [])], `${layer.name}/scaled`);
  return g.op('Add', [scaled, g.floats(`${layer.name}/table`, table, [1, steps, d])], layer.name);
};

/** LabbookMultiHeadAttention's call(), op for op: softmax(Q K^T / sqrt(d/h) + (1 - mask) * -1e9) V, then the output projection. */
export const multiHeadAttention: LayerConverter = (g, layer, [x, mask], [shape]) => {
  const [, steps, d] = shape;
  const heads = configOf(layer).heads as number;
  if (typeof steps !== 'number' || typeof d !== 'number') throw refuse(layer, 'an input of known [batch, steps, d]', `[${shape.join(', ')}]`);
  const k = d / heads;
  const w = weightsOf(layer);
  const n = layer.name;
  const param = (key: string): string => {
    const v = need(w.get(key), layer, `a ${key} weight`);
    return g.weight(`${n}/${key}`, v.values, v.shape);
  };
  const split = g.int64s(`${n}/split_shape`, [0, steps, heads, k]);
  const project = (which: string, bias: boolean, perm: number[]): string => {
    let y = g.op('MatMul', [x, param(`${which}/kernel`)], `${n}/${which}`);
    if (bias) y = g.op('Add', [y, param(`${which}/bias`)], `${n}/${which}_bias`);
    return g.op('Transpose', [g.op('Reshape', [y, split], `${n}/${which}_heads`)], `${n}/${which}_t`, { perm });
  };
  const q = project('query', true, [0, 2, 1, 3]);
  // Keys straight to [batch, heads, k, steps]: Q K^T without a separate transpose.
  const keyT = project('key', false, [0, 2, 3, 1]);
  const v = project('value', true, [0, 2, 1, 3]);
  const logits = g.op('Mul', [g.op('MatMul', [q, keyT], `${n}/qk`), g.floats(`${n}/inv_sqrt_k`, [1 / Math.sqrt(k)], [])], `${n}/logits`);
  const notToken = g.op('Sub', [g.floats(`${n}/one`, [1], []), mask], `${n}/not_token`);
  const bias = g.op('Mul', [notToken, g.floats(`${n}/masked_logit`, [-1e9], [])], `${n}/padding_bias`);
  const padding = g.op('Reshape', [bias, g.int64s(`${n}/bias_shape`, [0, 1, 1, steps])], `${n}/padding`);
  const attention = g.op('Softmax', [g.op('Add', [logits, padding], `${n}/masked_logits`)], `${n}/weights`, { axis: -1 });
  const context = g.op('Transpose', [g.op('MatMul', [attention, v], `${n}/context_heads`)], `${n}/context_t`, { perm: [0, 2, 1, 3] });
  const merged = g.op('Reshape', [context, g.int64s(`${n}/merge_shape`, [0, steps, d])], `${n}/context`);
  return g.op('Add', [g.op('MatMul', [merged, param('output/kernel')], `${n}/output`), param('output/bias')], n);
};

/** labbook's LayerNorm and tfjs's LayerNormalization over the last axis: ONNX's LayerNormalization (opset 17). */
export const layerNorm: LayerConverter = (g, layer, [x], [shape]) => {
  const c = configOf(layer);
  const axis = c.axis ?? -1;
  // tfjs's layer stores the axis made positive ([2] for a rank-3 input); labbook's has none (always the last).
  const last = (a: unknown): boolean => a === -1 || a === shape.length - 1;
  if (!(last(axis) || (Array.isArray(axis) && axis.length === 1 && last(axis[0]))) || c.center === false || c.scale === false) {
    throw refuse(layer, 'normalization over the last axis with scale and center', JSON.stringify({ axis, center: c.center, scale: c.scale }));
  }
  const w = weightsOf(layer);
  const gamma = need(w.get('gamma'), layer, 'gamma');
  const beta = need(w.get('beta'), layer, 'beta');
  const epsilon = (c.epsilon as number | undefined) ?? 1e-3;
  return g.op('LayerNormalization', [x, g.weight(`${layer.name}/gamma`, gamma.values, gamma.shape), g.weight(`${layer.name}/beta`, beta.values, beta.shape)], layer.name, { axis: -1, epsilon: { float: epsilon } });
};

export const sequencePooling: LayerConverter = (g, layer, [x, mask]) => {
  const n = layer.name;
  if (configOf(layer).mode === 'first') {
    const ints = (name: string, v: number): string => g.int64s(`${n}/${name}`, [v]);
    const first = g.op('Slice', [x, ints('starts', 0), ints('ends', 1), ints('axes', 1)], `${n}/first`);
    return g.op('Flatten', [first], n, { axis: 1 });
  }
  const axis = g.int64s(`${n}/axis`, [1]);
  const masked = g.op('Mul', [x, g.op('Unsqueeze', [mask, g.int64s(`${n}/feature_axis`, [2])], `${n}/mask_3d`)], `${n}/masked`);
  const summed = g.op('ReduceSum', [masked, axis], `${n}/sum`, { keepdims: 0 });
  // An all-padding row pools to zeros instead of 0/0, as SequencePooling does.
  const count = g.op('Max', [g.op('ReduceSum', [mask, axis], `${n}/tokens`, { keepdims: 1 }), g.floats(`${n}/one`, [1], [])], `${n}/count`);
  return g.op('Div', [summed, count], n);
};
