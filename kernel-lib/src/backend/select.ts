/** Choosing the TensorFlow.js backend for a run: tensorflow (GPU, then CPU), then native, then wasm, then cpu, or the one asked for. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, LabbookError } from '../errors';
import { registerEnvProvider } from '../repro/env';
import {
  findPackage,
  GPU_PACKAGE,
  looksAvailable,
  NODE_PACKAGE,
  NATIVE_PACKAGE,
  startCpu,
  startNative,
  startTensorflow,
  startWasm,
  WASM_PACKAGE,
  type Outcome,
} from './candidates';
import { ENABLE_HINT as NATIVE_ENABLE_HINT } from './native';
import {
  BACKEND_NAMES,
  currentBackendInfo,
  describeBackend,
  infoAsJson,
  rememberSelection,
  selectionFor,
  type BackendInfo,
  type BackendName,
  type SkippedBackend,
} from './info';

export type InitBackendOptions = {
  /** tensorflow, native, wasm or cpu (or auto); default: $LABBOOK_BACKEND, else auto. */
  prefer?: string;
};

/** Where the optional native packages are looked up; tests point it at fixture packages. */
export type SelectContext = { searchPaths: string[] };

type Request = { backend: BackendName | 'auto'; from: 'options.prefer' | 'LABBOOK_BACKEND' | null; raw: string | null };

// Every run records the backend it computed on, whoever chose it.
registerEnvProvider('backend', () => infoAsJson(currentBackendInfo()));

let queue: Promise<unknown> = Promise.resolve();

/**
 * Starts the fastest backend available -- tensorflow through @tensorflow/tfjs-node-gpu when a GPU
 * answers, through @tensorflow/tfjs-node, then labbook's native addon, then wasm, then cpu -- or the one `prefer` (else
 * $LABBOOK_BACKEND) names, and describes it. `prefer` wins over the variable, so a reproduction
 * that asks for the recorded backend gets it. Calls run one at a time; asking again for what is
 * already running changes nothing and returns the same description.
 */
export function initBackend(options?: InitBackendOptions): Promise<BackendInfo> {
  return selectBackend(options, { searchPaths: [__dirname] });
}

/**
 * The backends whose packages are really installed here, fastest first: tensorflow only for a
 * native @tensorflow/tfjs-node(-gpu) (not an npm alias of plain tfjs). Nothing is loaded, so a
 * package that is installed but broken still shows; initBackend says why when it passes one over.
 */
export async function availableBackends(): Promise<BackendName[]> {
  return BACKEND_NAMES.filter((name) => looksAvailable(name, [__dirname]));
}

export function selectBackend(options: unknown, context: SelectContext): Promise<BackendInfo> {
  let request: Request;
  try {
    request = readRequest(options);
  } catch (err) {
    return Promise.reject(err);
  }
  const run = queue.then(() => choose(request, context));
  queue = run.catch(() => undefined);
  return run;
}

function readRequest(options: unknown): Request {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw invalidArgument('options', 'an object such as { prefer: "wasm" }, or nothing', options);
  }
  const prefer = (options as InitBackendOptions | undefined)?.prefer;
  if (prefer !== undefined) return parseName(prefer, 'options.prefer');
  const fromEnv = process.env.LABBOOK_BACKEND;
  if (fromEnv === undefined || fromEnv.trim() === '') return { backend: 'auto', from: null, raw: null };
  return parseName(fromEnv, 'LABBOOK_BACKEND');
}

function parseName(value: unknown, from: 'options.prefer' | 'LABBOOK_BACKEND'): Request {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : null;
  if (name === 'auto' || (BACKEND_NAMES as readonly string[]).includes(name ?? '')) {
    return { backend: name as BackendName | 'auto', from, raw: value as string };
  }
  const where = from === 'LABBOOK_BACKEND' ? 'Set LABBOOK_BACKEND to one of them' : 'Pass one of them';
  throw invalidArgument(
    from,
    `one of ${BACKEND_NAMES.map((n) => `"${n}"`).join(', ')} or "auto"`,
    value,
    `${where}, or leave it unset to pick the fastest available (tensorflow, then native, then wasm, then cpu).`,
  );
}

async function choose(request: Request, context: SelectContext): Promise<BackendInfo> {
  const wanted = request.backend;
  if (selectionFor(wanted) !== null) return currentBackendInfo()!;
  const skipped: SkippedBackend[] = [];
  if (wanted === 'auto' || wanted === 'tensorflow') {
    const outcome = await startAnyTensorflow(context.searchPaths, skipped);
    if (outcome.ok) return finish(request, 'tensorflow', outcome, skipped);
    if (wanted === 'tensorflow') throw unavailable(request, skipped, context);
  }
  if (wanted === 'auto' || wanted === 'native') {
    const outcome = await startNative();
    if (outcome.ok) return finish(request, 'native', outcome, skipped);
    skipped.push({ backend: 'native', package: NATIVE_PACKAGE, reason: outcome.reason });
    if (wanted === 'native') throw unavailable(request, skipped, context);
  }
  if (wanted === 'auto' || wanted === 'wasm') {
    const outcome = await startWasm();
    if (outcome.ok) return finish(request, 'wasm', outcome, skipped);
    skipped.push({ backend: 'wasm', package: WASM_PACKAGE, reason: outcome.reason });
    if (wanted === 'wasm') throw unavailable(request, skipped, context);
  }
  const outcome = await startCpu();
  if (outcome.ok) return finish(request, 'cpu', outcome, skipped);
  skipped.push({ backend: 'cpu', package: '@tensorflow/tfjs-backend-cpu', reason: outcome.reason });
  throw unavailable(request, skipped, context);
}

/**
 * tfjs-node-gpu when a GPU answers, else tfjs-node. Both register the same backend name, so a GPU
 * package that loaded without a GPU makes way for tfjs-node when that is really installed, and
 * otherwise stays (libtensorflow on the CPU beats wasm).
 */
async function startAnyTensorflow(paths: string[], skipped: SkippedBackend[]): Promise<Outcome> {
  const gpu = await startTensorflow(GPU_PACKAGE, paths, true);
  if (gpu.ok) return gpu;
  skipped.push({ backend: 'tensorflow', package: GPU_PACKAGE, reason: gpu.reason });
  if ('cpuOnly' in gpu) {
    const node = findPackage(NODE_PACKAGE, paths);
    if (!node.ok) {
      skipped.push({ backend: 'tensorflow', package: NODE_PACKAGE, reason: node.reason });
      return { ok: true, source: gpu.cpuOnly };
    }
    tf.removeBackend('tensorflow');
  }
  const node = await startTensorflow(NODE_PACKAGE, paths, false);
  if (!node.ok) skipped.push({ backend: 'tensorflow', package: NODE_PACKAGE, reason: node.reason });
  return node;
}

function finish(request: Request, name: BackendName, outcome: Outcome & { ok: true }, skipped: SkippedBackend[]): BackendInfo {
  const extra: { threads?: number; skipped?: SkippedBackend[] } = {};
  if (outcome.threads !== undefined) extra.threads = outcome.threads;
  // An automatic choice always says what it passed over (an empty list included), so runs diff alike.
  if (request.backend === 'auto' || skipped.length > 0) extra.skipped = skipped;
  const info = describeBackend(name, 'labbook', outcome.source, extra);
  rememberSelection(request.backend, info);
  return info;
}

function unavailable(request: Request, skipped: SkippedBackend[], context: SelectContext): LabbookError {
  const wanted = request.backend;
  const why = skipped.map((s) => `${s.package}: ${s.reason}`).join('; ');
  if (wanted === 'auto') return new LabbookError('NOT_FOUND', `No TensorFlow.js backend could start (${why}).`);
  const available = BACKEND_NAMES.filter((b) => b !== wanted && looksAvailable(b, context.searchPaths));
  const fixes: { [name: string]: string } = {
    tensorflow:
      'Install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu with CUDA); their install scripts download libtensorflow, so the machine must reach storage.googleapis.com.',
    native: `Build labbook's native backend: ${NATIVE_ENABLE_HINT}.`,
    wasm: 'Reinstall @tensorflow/tfjs-backend-wasm (npm ci restores its .wasm files).',
    cpu: 'Reinstall @tensorflow/tfjs.',
  };
  const unset = request.from === 'LABBOOK_BACKEND' ? ', or unset LABBOOK_BACKEND' : ', or leave `prefer` out';
  return invalidArgument(
    request.from ?? 'backend',
    `a backend that can start here (${available.join(', ') || 'none'})`,
    request.raw,
    `${wanted} cannot start: ${why}. ${fixes[wanted]} Or choose ${available.join(' or ') || 'another backend'}${unset} to pick the fastest available.`,
  );
}
