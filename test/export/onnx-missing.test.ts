// onnxruntime-node is an optional dependency (an install whose script fails drops it): without it, exporting still works and running an ONNX model says how to install it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runNode, tempDir } from '../helpers';

const DIST = JSON.stringify(join(ROOT, 'kernel-lib', 'dist'));

describe('without onnxruntime-node installed', () => {
  it('exportOnnx writes the model; loadOnnx refuses with MISSING_DEPENDENCY and the install command', async () => {
    const dir = tempDir('labbook-onnx-missing-');
    const script = join(dir, 'missing.cjs');
    writeFileSync(
      script,
      `
// What an install that dropped the optional package looks like: the module cannot be resolved.
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'onnxruntime-node' || request.startsWith('onnxruntime-node/')) {
    const error = new Error("Cannot find module '" + request + "'");
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
const lb = require(${DIST});
const tf = require(require.resolve('@tensorflow/tfjs', { paths: [${DIST}] }));
(async () => {
  await lb.initBackend({});
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  const ready = new lb.ReadyModel(1, model, 'classification', ['a', 'b'], { kind: 'tensor', shape: [3] }, 'logits', null, null);
  const written = await lb.exporter.exportOnnx(ready, ${JSON.stringify(join(dir, 'model'))});
  try {
    await lb.exporter.loadOnnx(written.dir);
    console.log(JSON.stringify({ bytes: written.bytes, loaded: true }));
  } catch (error) {
    console.log(JSON.stringify({ bytes: written.bytes, code: error.code, message: error.message }));
  }
})();
`,
    );
    const result = await runNode([script]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(out.bytes).toBeGreaterThan(0);
    expect(out.code).toBe('MISSING_DEPENDENCY');
    expect(out.message).toBe(
      'Cannot run an ONNX model: expected the optional package onnxruntime-node, received none installed. Install it: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30 (its CPU binaries are in the package; the variable skips its install script, which downloads CUDA files).',
    );
  });
});
