/** Converters of tfjs's stock feed-forward layers: Dense, Conv2D, pooling, Flatten, Concatenate, Add, Activation, Dropout. */
import { activation, configOf, need, refuse, weightsOf, type LayerConverter, type Shape } from './common';
import type { OnnxGraph } from './graph';

export const dense: LayerConverter = (g, layer, [x]) => {
  const c = configOf(layer);
  const w = weightsOf(layer);
  const kernel = need(w.get('kernel'), layer, 'a kernel');
  // MatMul broadcasts over leading axes, as tfjs's Dense does on a [batch, steps, d] input.
  let y = g.op('MatMul', [x, g.weight(`${layer.name}/kernel`, kernel.values, kernel.shape)], `${layer.name}/matmul`);
  const bias = w.get('bias');
  if (c.useBias !== false && bias) y = g.op('Add', [y, g.weight(`${layer.name}/bias`, bias.values, bias.shape)], `${layer.name}/bias_add`);
  return activation(g, layer, y, c.activation);
};

/** Explicit [begin..., end...] pads for tfjs's 'valid' or 'same' (TensorFlow puts the odd pixel at the end). */
function pads(layer: Parameters<LayerConverter>[1], padding: unknown, size: Shape, kernel: number[], strides: number[], dilation: number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw refuse(layer, 'padding "valid" or "same"', JSON.stringify(padding));
  const begin: number[] = [];
  const end: number[] = [];
  kernel.forEach((k, i) => {
    const n = size[i];
    if (typeof n !== 'number') throw refuse(layer, 'known spatial dimensions', `[${size.join(', ')}]`);
    const total = Math.max((Math.ceil(n / strides[i]) - 1) * strides[i] + (k - 1) * dilation[i] + 1 - n, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return [...begin, ...end];
}

const pair = (v: unknown, fallback: number[]): number[] => (v === undefined || v === null ? fallback : Array.isArray(v) ? (v as number[]) : [v as number, v as number]);

function channelsLast(layer: Parameters<LayerConverter>[1], c: { [key: string]: unknown }): void {
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw refuse(layer, 'dataFormat "channelsLast"', JSON.stringify(c.dataFormat));
}

/** tfjs is NHWC, ONNX's Conv and pools NCHW: transpose in, run, transpose back (onnxruntime folds adjacent pairs). */
function nchw(g: OnnxGraph, stem: string, x: string, run: (x: string) => string): string {
  const inside = run(g.op('Transpose', [x], `${stem}/to_nchw`, { perm: [0, 3, 1, 2] }));
  return g.op('Transpose', [inside], `${stem}/to_nhwc`, { perm: [0, 2, 3, 1] });
}

export const conv2d: LayerConverter = (g, layer, [x], [shape]) => {
  const c = configOf(layer);
  channelsLast(layer, c);
  const w = weightsOf(layer);
  const kernel = need(w.get('kernel'), layer, 'a kernel');
  const [kh, kw, cin, cout] = kernel.shape;
  // tfjs [kh, kw, in, out] -> ONNX [out, in, kh, kw].
  const oihw = new Float32Array(kernel.values.length);
  for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) oihw[((o * cin + i) * kh + a) * kw + b] = kernel.values[((a * kw + b) * cin + i) * cout + o];
  const strides = pair(c.strides, [1, 1]);
  const dilations = pair(c.dilationRate, [1, 1]);
  const inputs = [g.weight(`${layer.name}/kernel`, oihw, [cout, cin, kh, kw])];
  const bias = w.get('bias');
  if (c.useBias !== false && bias) inputs.push(g.weight(`${layer.name}/bias`, bias.values, bias.shape));
  const attrs = { kernel_shape: [kh, kw], strides, dilations, pads: pads(layer, c.padding, shape.slice(1, 3), [kh, kw], strides, dilations) };
  const y = nchw(g, layer.name, x, (t) => g.op('Conv', [t, ...inputs], `${layer.name}/conv`, attrs));
  return activation(g, layer, y, c.activation);
};

function pool(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (g, layer, [x], [shape]) => {
    const c = configOf(layer);
    channelsLast(layer, c);
    const kernel = pair(c.poolSize, [2, 2]);
    const strides = pair(c.strides, kernel);
    const attrs = { kernel_shape: kernel, strides, pads: pads(layer, c.padding ?? 'valid', shape.slice(1, 3), kernel, strides, [1, 1]) };
    return nchw(g, layer.name, x, (t) => g.op(op, [t], `${layer.name}/pool`, attrs));
  };
}
export const maxPooling2d = pool('MaxPool');
export const averagePooling2d = pool('AveragePool');

export const globalAveragePooling: LayerConverter = (g, layer, [x], [shape]) => {
  channelsLast(layer, configOf(layer));
  // Mean over every axis between batch and channels, [batch, ..., c] -> [batch, c].
  const axes = shape.slice(1, -1).map((_, i) => i + 1);
  // Opset 17's ReduceMean takes axes as an attribute (an input only from opset 18, unlike ReduceSum's from 13).
  return g.op('ReduceMean', [x], layer.name, { axes, keepdims: 0 });
};

// tfjs's Flatten keeps NHWC order, and so does ONNX's Flatten of the NHWC tensor.
export const flatten: LayerConverter = (g, layer, [x]) => g.op('Flatten', [x], layer.name, { axis: 1 });

export const concatenate: LayerConverter = (g, layer, inputs) => g.op('Concat', inputs, layer.name, { axis: (configOf(layer).axis as number | undefined) ?? -1 });

export const add: LayerConverter = (g, layer, inputs) => g.op('Sum', inputs, layer.name);

export const activationLayer: LayerConverter = (g, layer, [x]) => activation(g, layer, x, configOf(layer).activation);

/** Dropout of every kind is the identity at inference. */
export const identity: LayerConverter = (g, layer, [x]) => g.op('Identity', [x], layer.name);
