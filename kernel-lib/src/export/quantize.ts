/** Post-training weight quantization (float16, uint8 affine) into the manifest form tfjs's loader decodes; pure functions, no tfjs. */

export type Quantization = 'float16' | 'uint8';

/** What a manifest entry carries (tfjs-core io/types WeightsManifestEntry.quantization). */
export type QuantizationSpec = { dtype: 'float16' } | { dtype: 'uint8'; scale: number; min: number };

export interface Quantized {
  bytes: Uint8Array;
  spec: QuantizationSpec;
}

/** Quantizes one float32 tensor's values; the bytes are what the shard holds for it. */
export function quantize(values: Float32Array, kind: Quantization): Quantized {
  return kind === 'float16' ? { bytes: toFloat16Bytes(values), spec: { dtype: 'float16' } } : toUint8(values);
}

/**
 * float32 -> IEEE half, round half to even, overflow to infinity, subnormals kept: what numpy's
 * `astype(np.float16)` gives, which the tfjs converter's float16 path stores; tfjs-core's
 * getFloat16Decoder reads the 16-bit halves back (little-endian, as every platform tfjs runs on).
 */
export function toFloat16Bytes(values: Float32Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfBits(bits[i]);
  return new Uint8Array(out.buffer);
}

function halfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: the count of 2^-24 units is the full mantissa shifted right by 14 - e.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    return sign | roundEven(m >>> shift, m & ((1 << shift) - 1), 1 << (shift - 1));
  }
  // A carry out of the mantissa moves into the exponent, which is the right rounding (up to infinity).
  return sign | roundEven((e << 10) | (mant >>> 13), mant & 0x1fff, 0x1000);
}

function roundEven(q: number, rest: number, half: number): number {
  return rest > half || (rest === half && (q & 1) === 1) ? q + 1 : q;
}

/**
 * Affine uint8 per tensor, as tensorflowjs/quantization.py `quantize_weights` does
 * (github.com/tensorflow/tfjs, tfjs-converter/python/tensorflowjs/quantization.py): scale =
 * (max - min) / 255; when 0 lies in [min, max] the range is nudged so that 0 is exactly a code
 * (TF-Lite's NudgeQuantizationRange), so zero padding and zero biases stay zero; values are
 * clipped to the nudged range and rounded half to even (np.round), in float64. A constant
 * tensor is all zeros with scale 1 and min = the value. The loader computes v * scale + min.
 */
export function toUint8(values: Float32Array): Quantized {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0) return { bytes: new Uint8Array(0), spec: { dtype: 'uint8', scale: 1, min: 0 } };
  if (lo === hi) return { bytes: new Uint8Array(values.length), spec: { dtype: 'uint8', scale: 1, min: lo } };
  const scale = (hi - lo) / 255;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zero = roundHalfEven((0 - lo) / scale);
    min = -zero * scale;
    max = 255 * scale + min;
  }
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.min(Math.max(values[i], min), max);
    bytes[i] = Math.min(255, Math.max(0, roundHalfEven((clipped - min) / scale)));
  }
  return { bytes, spec: { dtype: 'uint8', scale, min } };
}

/** The largest error uint8 quantization can add to one value of a tensor: half a step. */
export function uint8ErrorBound(spec: { scale: number }): number {
  return spec.scale / 2;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; np.round takes the even neighbour.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
