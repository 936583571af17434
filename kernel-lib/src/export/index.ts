/** Export of a run's model to tfjs's layers format (float16/uint8 weight quantization) and to ONNX (float32 or int8 weights). */
export { DEFAULT_SHARD_BYTES, exportTfjs, type ExportResult, type ExportTfjsOptions } from './tfjs';
export { loadExport } from './load';
export { EXPORT_SIDECAR, verifyExport, type ExportSidecar } from './sidecar';
export { quantize, toFloat16Bytes, toUint8, uint8ErrorBound, type Quantization, type QuantizationSpec, type Quantized } from './quantize';
export { exportOnnx, int8ErrorBound, loadOnnx, ONNX_CONVERTERS, ONNX_OPSET, verifyOnnx, type ExportOnnxOptions, type ExportOnnxResult, type LoadOnnxOptions, type OnnxModel, type OnnxSidecar } from './onnx';
