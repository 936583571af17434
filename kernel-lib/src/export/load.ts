/** loadExport: labbook's own reader of an exported folder, hash-verified first; stock tfjs needs none of it. */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerFileIO } from '../backend/file-io';
import '../models/layers';
import { verifyExport, type ExportSidecar } from './sidecar';

/** Verifies every file against labbook.json, then loads model.json with tfjs (which decodes quantized weights). */
export async function loadExport(dir: string): Promise<{ model: tf.LayersModel; sidecar: ExportSidecar }> {
  const sidecar = verifyExport(dir);
  registerFileIO();
  const model = await tf.loadLayersModel(`file://${resolve(dir, 'model.json')}`);
  return { model, sidecar };
}
