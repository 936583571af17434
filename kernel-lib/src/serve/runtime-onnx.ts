/** The onnx serve runtime: the ReadyModel exported to ONNX once per weights (cached by content hash), run by onnxruntime-node, outputs turned into predictions as tfjs's are. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadyModel } from '../model-package';
import type { ServeRuntime } from './runtime';

export async function onnxRuntime(model: ReadyModel, cacheRoot: string): Promise<ServeRuntime> {
  // Required here: the export's protobuf writer and onnxruntime load only for an onnx server.
  const onnx = require('../export/onnx') as typeof import('../export/onnx');
  const dir = join(cacheRoot, contentKey(model));
  if (!existsSync(dir)) {
    // Written beside and renamed into place, so a server stopped mid-export never leaves a half folder that looks complete.
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      await onnx.exportOnnx(model, partial);
      if (!existsSync(dir)) renameSync(partial, dir);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  const session = await onnx.loadOnnx(dir);
  return {
    name: 'onnx',
    predict: (examples) => onnx.onnxPredict(session, model, examples),
    close: () => void session.close().catch(() => {}),
  };
}

/** A hash of the topology and every weight's bytes: the same weights reuse one export, changed weights never do. */
function contentKey(model: ReadyModel): string {
  const hash = createHash('sha256').update(JSON.stringify(model.model.toJSON(null, false)));
  for (const w of model.model.getWeights()) {
    const data = w.dataSync();
    hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest('hex').slice(0, 32);
}
