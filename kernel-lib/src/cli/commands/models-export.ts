/** `labbook models export REF DIR`: a model version written as tfjs layers or ONNX (loads tfjs, and onnxruntime never: export only writes). */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { LabbookError } from '../../errors';
import type { Registry } from '../../registry/registry';
import { print, printJson } from '../command';
import { table } from '../format';

const QUANTIZE = { tfjs: ['float16', 'uint8'], onnx: ['int8'] } as const;

export async function exportVersion(registry: Registry, ref: string, dir: string, options: { format?: string; quantize?: string; json: boolean }): Promise<void> {
  const format = options.format ?? 'tfjs';
  if (format !== 'tfjs' && format !== 'onnx') {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--format\`: expected tfjs or onnx, received ${JSON.stringify(format)}. tfjs writes model.json and weight shards that tf.loadLayersModel reads; onnx writes model.onnx.`);
  }
  const allowed: readonly string[] = QUANTIZE[format];
  if (options.quantize !== undefined && !allowed.includes(options.quantize)) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--quantize\` with --format ${format}: expected ${allowed.join(' or ')}, received ${JSON.stringify(options.quantize)}.${format === 'tfjs' ? ' int8 is ONNX only: add --format onnx.' : ' float16 and uint8 are tfjs only: use --format tfjs.'}`);
  }
  const { initBackend } = require('../../backend') as typeof import('../../backend');
  const exporter = require('../../export') as typeof import('../../export');
  await initBackend({});
  const written =
    format === 'tfjs'
      ? await exporter.exportTfjs(ref, dir, { registry, quantize: (options.quantize as 'float16' | 'uint8' | undefined) ?? null })
      : await exporter.exportOnnx(ref, dir, { registry, quantize: (options.quantize as 'int8' | undefined) ?? null });
  const files = Object.entries(written.sidecar.files).map(([name, sha256]) => ({ name, bytes: statSync(join(written.dir, name)).size, sha256 }));
  if (options.json) {
    printJson({ model: ref, format, quantize: options.quantize ?? null, dir: written.dir, runId: written.sidecar.source.runId, files });
    return;
  }
  print(`exported ${ref} (run ${written.sidecar.source.runId}) as ${format}${options.quantize ? ` ${options.quantize}` : ''} to ${written.dir}`);
  print(table(['file', 'bytes', 'sha256'], files.map((f) => [f.name, f.bytes, f.sha256])));
}
