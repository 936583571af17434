/** Converters of tfjs's LSTM and GRU (and labbook's LSTM, the same weights) to ONNX's LSTM and GRU ops, and time reversal. */
import type * as tf from '@tensorflow/tfjs';
import { configOf, need, refuse, weightsOf, type LayerConverter } from './common';
import type { OnnxGraph } from './graph';

/*
 * Gate order: tfjs's LSTM kernel columns are [i, f, c, o], ONNX's LSTM wants [i, o, f, c];
 * tfjs's GRU is [z, r, h] as ONNX's GRU is. tfjs's GRU has no reset_after: it is the original
 * GRU, h~ = tanh(x Wh + (r * h) Rh + b), which is ONNX's linear_before_reset = 0 with the
 * recurrence bias zero. Both update h = z * h_prev + (1 - z) * h~, as ONNX does.
 */
const LSTM_ORDER = [0, 3, 1, 2];
const GRU_ORDER = [0, 1, 2];

/** A [rows, gates * units] tfjs matrix as ONNX's [1, gates * units, rows], its gate blocks in ONNX order. */
function gateMajor(values: Float32Array, rows: number, units: number, order: number[]): Float32Array {
  const cols = order.length * units;
  const out = new Float32Array(values.length);
  order.forEach((from, to) => {
    for (let j = 0; j < units; j++) for (let r = 0; r < rows; r++) out[(to * units + j) * rows + r] = values[r * cols + from * units + j];
  });
  return out;
}

function recurrent(op: 'LSTM' | 'GRU', order: number[]): LayerConverter {
  return (g, layer, [x]) => {
    const c = configOf(layer);
    check(layer, c);
    const units = c.units as number;
    const gates = order.length;
    const w = weightsOf(layer);
    const kernel = need(w.get('kernel'), layer, 'a kernel');
    const rec = need(w.get('recurrent_kernel'), layer, 'a recurrent kernel');
    const inputDim = kernel.shape[0];
    const bias = new Float32Array(2 * gates * units);
    const b = w.get('bias');
    if (c.useBias !== false && b) order.forEach((from, to) => bias.set(b.values.subarray(from * units, (from + 1) * units), to * units));
    const inputs = [
      g.op('Transpose', [x], `${layer.name}/time_major`, { perm: [1, 0, 2] }),
      g.weight(`${layer.name}/W`, gateMajor(kernel.values, inputDim, units, order), [1, gates * units, inputDim]),
      g.weight(`${layer.name}/R`, gateMajor(rec.values, units, units, order), [1, gates * units, units]),
      g.floats(`${layer.name}/B`, bias, [1, 2 * gates * units]),
    ];
    const attrs = { hidden_size: units, direction: c.goBackwards ? 'reverse' : 'forward', ...(op === 'GRU' ? { linear_before_reset: 0 } : {}) };
    const [y, yh] = g.op(op, inputs, `${layer.name}/${op.toLowerCase()}`, attrs, 2);
    if (!c.returnSequences) return g.op('Squeeze', [yh, g.int64s(`${layer.name}/axes`, [0])], layer.name);
    // Y is [steps, 1, batch, units]: drop the direction axis, back to batch-major.
    const seq = g.op('Transpose', [g.op('Squeeze', [y, g.int64s(`${layer.name}/axes`, [1])], `${layer.name}/squeeze`)], layer.name, { perm: [1, 0, 2] });
    // ONNX's reverse direction leaves step t at position t; tfjs's goBackwards returns processing order (last step first).
    return c.goBackwards ? reverseTime(g, `${layer.name}/processing_order`, seq) : seq;
  };
}

function check(layer: tf.layers.Layer, c: { [key: string]: unknown }): void {
  const act = c.activation ?? 'tanh';
  const rec = c.recurrentActivation ?? 'sigmoid';
  // ONNX's defaults (f = Sigmoid, g = h = Tanh) are the zoo's; other pairs are not exported.
  if (act !== 'tanh' || rec !== 'sigmoid') throw refuse(layer, 'activation "tanh" with recurrentActivation "sigmoid"', `${JSON.stringify(act)} with ${JSON.stringify(rec)}`);
  if (c.returnState || c.stateful) throw refuse(layer, 'a stateless layer returning its output only', c.stateful ? 'stateful: true' : 'returnState: true');
}

/** Axis 1 reversed: a Slice from the last step with step -1. */
export function reverseTime(g: OnnxGraph, stem: string, x: string): string {
  const ints = (name: string, v: number): string => g.int64s(`${stem}/${name}`, [v]);
  return g.op('Slice', [x, ints('starts', -1), ints('ends', Number.MIN_SAFE_INTEGER), ints('axes', 1), ints('steps', -1)], stem);
}

export const lstm = recurrent('LSTM', LSTM_ORDER);
export const gru = recurrent('GRU', GRU_ORDER);
export const reverseSequence: LayerConverter = (g, layer, [x]) => reverseTime(g, layer.name, x);
