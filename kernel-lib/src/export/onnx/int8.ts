/** Symmetric per-tensor int8 weight quantization, as onnxruntime's quantizer does for weights by default. */

/*
 * onnxruntime.quantization (quantize_static / quantize_dynamic) defaults for weights: QInt8,
 * per_channel=False, and WeightSymmetric=True for int8, which makes the range [-127, 127]
 * (not -128) with zero point 0: scale = max|w| / 127, code = round(w / scale) clipped to it.
 * DequantizeLinear gives back code * scale, within scale / 2 of w.
 */
export interface Int8Weights {
  codes: Int8Array;
  scale: number;
}

export function int8Symmetric(values: Float32Array): Int8Weights {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  // An all-zero tensor: any scale dequantizes to zeros; 1 keeps DequantizeLinear well-defined.
  const scale = Math.fround(max === 0 ? 1 : max / 127);
  // onnxruntime rounds half to even (numpy's rint); Math.round rounds half up, so ties are done by hand.
  const codes = Int8Array.from(values, (v) => Math.max(-127, Math.min(127, roundHalfEven(v / scale))));
  return { codes, scale };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The largest |w - dequantized(w)| the codes allow: half a step. */
export function int8ErrorBound(values: Float32Array): number {
  return int8Symmetric(values).scale / 2;
}
