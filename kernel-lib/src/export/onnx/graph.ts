/** OnnxGraph: collects nodes and initializers with unique, deterministic names while layers are converted. */
import { DataType, type AttrValue, type OnnxNode, type OnnxTensor } from './proto';
import { int8Symmetric } from './int8';

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private used = new Set<string>();

  /** @param int8 store weights (rank >= 2) as int8 codes with a DequantizeLinear node in front of their consumer. */
  constructor(readonly int8: boolean) {}

  /** A fresh value name from a readable stem: the same model always gets the same names. */
  name(stem: string): string {
    let name = stem;
    for (let i = 1; this.used.has(name); i++) name = `${stem}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds one node; returns its output name(s) (`outputs` of them, named after the node). */
  op(op: string, inputs: string[], stem: string, attrs?: Record<string, AttrValue>): string;
  op(op: string, inputs: string[], stem: string, attrs: Record<string, AttrValue> | undefined, outputs: number): string[];
  op(op: string, inputs: string[], stem: string, attrs?: Record<string, AttrValue>, outputs?: number): string | string[] {
    const name = this.name(stem);
    const outs = outputs === undefined ? [name] : Array.from({ length: outputs }, (_, i) => (i === 0 ? name : this.name(`${stem}_${i}`)));
    this.nodes.push({ op, inputs, outputs: outs, name, attrs });
    return outputs === undefined ? outs[0] : outs;
  }

  /** A float32 constant (not a trained weight: never quantized). */
  floats(stem: string, values: ArrayLike<number>, dims: number[]): string {
    const name = this.name(stem);
    const f = Float32Array.from(values);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, raw: new Uint8Array(f.buffer) });
    return name;
  }

  /** An int64 constant (shapes, axes, slice bounds). */
  int64s(stem: string, values: number[], dims: number[] = [values.length]): string {
    const name = this.name(stem);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims, dataType: DataType.INT64, raw });
    return name;
  }

  /**
   * A trained weight. With int8 on, a matrix or kernel (rank >= 2) is stored as int8 codes plus a
   * float scale and a zero point of 0, dequantized by a DequantizeLinear node; vectors (biases,
   * norm scales) stay float32, as onnxruntime's quantizer keeps them out of weight-only int8.
   */
  weight(stem: string, values: Float32Array, dims: number[]): string {
    if (!this.int8 || dims.length < 2) return this.floats(stem, values, dims);
    const q = int8Symmetric(values);
    const codes = this.name(`${stem}_int8`);
    this.initializers.push({ name: codes, dims, dataType: DataType.INT8, raw: new Uint8Array(q.codes.buffer, q.codes.byteOffset, q.codes.length) });
    const scale = this.floats(`${stem}_scale`, [q.scale], []);
    const zero = this.name(`${stem}_zero_point`);
    this.initializers.push({ name: zero, dims: [], dataType: DataType.INT8, raw: new Uint8Array(1) });
    return this.op('DequantizeLinear', [codes, scale, zero], stem);
  }
}
