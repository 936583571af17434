/** convertModel: a tfjs LayersModel (sequential or a functional graph of single-use layers) as an ONNX ModelProto. */
import type * as tf from '@tensorflow/tfjs';
import { LabbookError } from '../../errors';
import type { LayerConverter, Shape } from './common';
import { OnnxGraph } from './graph';
import { activationLayer, add, averagePooling2d, concatenate, conv2d, dense, flatten, globalAveragePooling, identity, maxPooling2d } from './layers-basic';
import { gru, lstm, reverseSequence } from './layers-rnn';
import { embedding, layerNorm, multiHeadAttention, paddingMask, positionalEncoding, sequencePooling } from './layers-sequence';
import { encodeModel, type OnnxModelProto } from './proto';

/** onnxruntime 1.30 reads IR 10; 8 is enough for what is written and readable by older runtimes too. */
export const IR_VERSION = 8;
/** LayerNormalization is an operator from opset 17 on. */
export const OPSET = 17;

/** Every tfjs class name the exporter converts (labbook's own classes are the Labbook* ones). */
export const CONVERTERS: Record<string, LayerConverter> = {
  Dense: dense,
  Conv2D: conv2d,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling1D: globalAveragePooling,
  GlobalAveragePooling2D: globalAveragePooling,
  Flatten: flatten,
  Concatenate: concatenate,
  Add: add,
  Activation: activationLayer,
  Dropout: identity,
  LabbookSeededDropout: identity,
  LSTM: lstm,
  GRU: gru,
  LabbookReverseSequence: reverseSequence,
  Embedding: embedding,
  LabbookTokenEmbedding: embedding,
  LabbookPaddingMask: paddingMask,
  LabbookPositionalEncoding: positionalEncoding,
  LabbookMultiHeadAttention: multiHeadAttention,
  LayerNormalization: layerNorm,
  LabbookLayerNormalization: layerNorm,
  LabbookSequencePooling: sequencePooling,
};

type Inbound = { inboundLayers: tf.layers.Layer[]; inputTensors: tf.SymbolicTensor[] };

export function convertModel(model: tf.LayersModel, options: { int8: boolean }): OnnxModelProto {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new LabbookError('MODEL_FORMAT', `Cannot export model "${model.name}" to ONNX: expected one input and one output, received ${model.inputs.length} and ${model.outputs.length}. Export it with exportTfjs() instead.`);
  }
  const g = new OnnxGraph(options.int8);
  const values = new Map<string, string>();
  const input = model.inputs[0];
  const inputName = g.name(input.sourceLayer.name);
  values.set(input.sourceLayer.name, inputName);
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const convert = CONVERTERS[className] as LayerConverter | undefined;
    const nodes = (layer as unknown as { inboundNodes: Inbound[] }).inboundNodes;
    if (!convert || nodes.length !== 1) {
      const received = convert ? `a layer applied ${nodes.length} times` : className;
      throw new LabbookError(
        'MODEL_FORMAT',
        `Cannot export layer "${layer.name}" (${className}) to ONNX: expected one of the supported layers, each applied once (${Object.keys(CONVERTERS).join(', ')}), received ${received}. Export this model with exportTfjs() instead, or replace the layer.`,
      );
    }
    const inputs = nodes[0].inboundLayers.map((l) => values.get(l.name)!);
    const shapes = nodes[0].inputTensors.map((t) => t.shape as Shape);
    values.set(layer.name, convert(g, layer, inputs, shapes));
  }
  const out = model.outputs[0];
  // The graph output gets a name of its own even when the last layer was an identity.
  const output = g.op('Identity', [values.get(out.sourceLayer.name)!], 'output');
  const symbolic = (shape: (number | null)[]): (number | string)[] => shape.map((d, i) => (i === 0 ? 'N' : (d ?? `d${i}`)));
  return {
    irVersion: IR_VERSION,
    opset: OPSET,
    producer: 'labbook exportOnnx',
    graphName: model.name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: inputName, dims: symbolic(input.shape) }],
    outputs: [{ name: output, dims: symbolic(out.shape as (number | null)[]) }],
  };
}

export function modelBytes(model: tf.LayersModel, options: { int8: boolean }): Uint8Array {
  return encodeModel(convertModel(model, options));
}
