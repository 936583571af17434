/** A hand-rolled protobuf encoder for the part of ONNX's ModelProto the exporter writes (no dependency). */

/*
 * Field numbers are onnx/onnx.proto's (IR version 8, the schema onnxruntime 1.30 reads):
 *   ModelProto: ir_version 1 (int64), producer_name 2, producer_version 3, graph 7, opset_import 8
 *   OperatorSetIdProto: domain 1, version 2 (int64)
 *   GraphProto: node 1, name 2, initializer 5, input 11, output 12
 *   NodeProto: input 1, output 2, name 3, op_type 4, attribute 5
 *   AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20
 *     (AttributeType FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7)
 *   TensorProto: dims 1 (int64), data_type 2, name 8, raw_data 9 (little-endian values)
 *     (DataType FLOAT 1, INT8 3, INT64 7)
 *   ValueInfoProto: name 1, type 2; TypeProto: tensor_type 1; TypeProto.Tensor: elem_type 1, shape 2
 *   TensorShapeProto: dim 1; Dimension: dim_value 1 (int64), dim_param 2 (string)
 * Proto3 encoding: varint wire type 0, length-delimited 2, fixed32 5; repeated scalars packed.
 */

export const DataType = { FLOAT: 1, INT8: 3, INT64: 7 } as const;

export type AttrValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs?: Record<string, AttrValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** The values, little-endian, as raw_data. */
  raw: Uint8Array;
}

export interface OnnxValueInfo {
  name: string;
  /** A number, or a symbolic dimension's name (the batch is 'N'). */
  dims: (number | string)[];
}

export interface OnnxModelProto {
  irVersion: number;
  opset: number;
  producer: string;
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Appends protobuf fields to a growing list of byte chunks. */
class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  varint(value: number | bigint): void {
    // int64 fields: negative values are their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  packedInts(field: number, values: number[]): void {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: number[]): void {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    this.bytes(field, b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function attribute(w: Writer, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'string') {
    w.string(4, value);
    w.int(20, 3);
  } else if (typeof value === 'number') {
    // Plain numbers are INT attributes unless they are not integers.
    if (Number.isInteger(value)) {
      w.int(3, value);
      w.int(20, 2);
    } else {
      w.float(2, value);
      w.int(20, 1);
    }
  } else if (Array.isArray(value)) {
    w.packedInts(8, value);
    w.int(20, 7);
  } else if ('floats' in value) {
    w.packedFloats(7, value.floats);
    w.int(20, 6);
  } else if ('int' in value) {
    w.int(3, value.int);
    w.int(20, 2);
  } else {
    w.float(2, value.float);
    w.int(20, 1);
  }
}

function tensor(w: Writer, t: OnnxTensor): void {
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function valueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int(1, DataType.FLOAT);
      tt.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** The serialized ModelProto. Fields are written in a fixed order, so the same model gives the same bytes. */
export function encodeModel(m: OnnxModelProto): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producer);
  w.message(7, (g) => {
    for (const n of m.nodes) {
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name);
        nw.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (a) => attribute(a, k, v));
      });
    }
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (tw) => tensor(tw, t));
    for (const i of m.inputs) g.message(11, (vw) => valueInfo(vw, i));
    for (const o of m.outputs) g.message(12, (vw) => valueInfo(vw, o));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, m.opset);
  });
  return w.finish();
}
