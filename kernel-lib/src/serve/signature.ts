/** What a client can ask about the served model: TF Serving's status and metadata (signature_def) and KServe v2's model metadata. */
import { inputColumns, outputColumns, type Served } from './model';
import { v2Datatype } from './v2-tensors';

/** GetModelStatusResponse as TF Serving's REST API writes it. */
export function v1Status(served: Served): unknown {
  return { model_version_status: [{ version: String(served.version), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
}

function tensorInfo(name: string, kind: string, shape: number[]): unknown {
  return {
    dtype: kind === 'text' || kind === 'category' ? 'DT_STRING' : 'DT_FLOAT',
    tensor_shape: { dim: [-1, ...shape].map((size) => ({ size: String(size), name: '' })), unknown_rank: false },
    name,
  };
}

/** GetModelMetadataResponse: the serving_default signature (inputs and outputs with dtypes and shapes), plus the labels and the run. */
export function v1Metadata(served: Served): unknown {
  const inputs = Object.fromEntries(inputColumns(served).map((c) => [c.name, tensorInfo(c.name, c.kind, c.shape)]));
  const outputs = Object.fromEntries(outputColumns(served).map((c) => [c.name, tensorInfo(c.name, c.kind, c.shape)]));
  return {
    model_spec: { name: served.name, signature_name: '', version: String(served.version) },
    metadata: {
      signature_def: { signature_def: { serving_default: { inputs, outputs, method_name: 'tensorflow/serving/predict' } } },
      labels: served.model.labels,
      task: served.model.task,
      run_id: served.runId,
      runtime: served.runtime,
    },
  };
}

/** KServe v2 model metadata: inputs and outputs as {name, datatype, shape} with -1 for the batch. */
export function v2Metadata(served: Served): unknown {
  return {
    name: served.name,
    versions: [String(served.version)],
    platform: 'tensorflowjs_labbook',
    inputs: inputColumns(served).map((c) => ({ name: c.name, datatype: v2Datatype(c.kind), shape: [-1, ...c.shape] })),
    outputs: outputColumns(served).map((c) => ({ name: c.name, datatype: c.kind === 'text' ? 'BYTES' : 'FP32', shape: [-1, ...c.shape] })),
    parameters: { labels: served.model.labels, task: served.model.task, run_id: served.runId, runtime: served.runtime },
  };
}
