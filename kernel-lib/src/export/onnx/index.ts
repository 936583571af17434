/** ONNX export of a run's model (float32 or int8 weights), written against onnx.proto, and its onnxruntime-node loader. */
export { exportOnnx, type ExportOnnxOptions, type ExportOnnxResult } from './export';
export { loadOnnx, type LoadOnnxOptions, type OnnxModel } from './load';
export { onnxPredict } from './predict';
export { verifyOnnx, type OnnxSidecar } from './sidecar';
export { CONVERTERS as ONNX_CONVERTERS, OPSET as ONNX_OPSET } from './convert';
export { int8ErrorBound, int8Symmetric } from './int8';
