/** Checks a model config at the boundary and fills in its defaults (what buildModel builds from). */
import { invalidArgument, LabbookError } from '../errors';
import { closestName } from '../suggest';
import {
  MODEL_KINDS,
  modelDefaults,
  type CnnConfig,
  type MlpConfig,
  type ModelConfig,
  type ResolvedModelConfig,
  type RnnConfig,
  type TransformerConfig,
} from './config';

/** The config with every default filled in, after checking every field; throws LabbookError. */
export function resolveModelConfig(config: MlpConfig): Required<MlpConfig>;
export function resolveModelConfig(config: CnnConfig): Required<CnnConfig>;
export function resolveModelConfig(config: RnnConfig): Required<RnnConfig>;
export function resolveModelConfig(config: TransformerConfig): Required<TransformerConfig>;
export function resolveModelConfig(config: ModelConfig): ResolvedModelConfig;
export function resolveModelConfig(config: ModelConfig): ResolvedModelConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw invalidArgument('config', 'a model config object such as {kind: "mlp"}', config);
  }
  const kind = (config as { kind?: unknown }).kind;
  if (!MODEL_KINDS.includes(kind as never)) {
    throw invalidArgument('config.kind', `one of ${MODEL_KINDS.map((k) => `"${k}"`).join(', ')}`, kind);
  }
  const defaults = modelDefaults(config.kind);
  const known = Object.keys(defaults);
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      const hint = closestName(key, known, 2);
      // Built by hand: invalidArgument would quote the whole "received" text as a string.
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Invalid value for \`config\`: expected only the keys of the ${kind} config (${known.join(', ')}), ` +
          `received the unknown key ${JSON.stringify(key)}. ${hint ? `Did you mean "${hint}"?` : 'Remove it.'}`,
      );
    }
  }
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  const merged = { ...defaults, ...given } as ResolvedModelConfig;
  checkOneOf('config.task', merged.task, ['classification', 'regression']);
  if (given.outputs === undefined) merged.outputs = merged.task === 'regression' ? 1 : 10;
  checkPositiveInt('config.outputs', merged.outputs);
  if (typeof merged.dropout !== 'number' || !(merged.dropout >= 0 && merged.dropout < 1)) {
    throw invalidArgument('config.dropout', 'a rate from 0 (inclusive) to 1 (exclusive)', merged.dropout);
  }
  switch (merged.kind) {
    case 'mlp':
      checkShape('config.inputShape', merged.inputShape, 1, 8);
      checkIntList('config.hidden', merged.hidden, 0);
      checkOneOf('config.activation', merged.activation, ['relu', 'tanh', 'gelu']);
      break;
    case 'cnn':
      checkCnn(merged);
      break;
    case 'lstm':
    case 'gru':
      checkShape('config.inputShape', merged.inputShape, 2, 2, '[steps, features]');
      checkIntList('config.units', merged.units, 1);
      checkOneOf('config.bidirectional', merged.bidirectional, [true, false]);
      break;
    case 'transformer':
      checkTransformer(merged);
      break;
  }
  return copyArrays(merged);
}

function checkCnn(config: Required<CnnConfig>): void {
  checkShape('config.inputShape', config.inputShape, 3, 3, '[height, width, channels]');
  checkIntList('config.filters', config.filters, 1);
  checkPositiveInt('config.kernelSize', config.kernelSize);
  checkPositiveInt('config.dense', config.dense);
  checkOneOf('config.padding', config.padding, ['valid', 'same']);
  // Each block convolves (shrinking by kernelSize - 1 under 'valid') then halves: find where it collapses.
  let [h, w] = config.inputShape;
  for (let block = 1; block <= config.filters.length; block++) {
    const shrink = config.padding === 'valid' ? config.kernelSize - 1 : 0;
    const convH = h - shrink;
    const convW = w - shrink;
    h = Math.floor(convH / 2);
    w = Math.floor(convW / 2);
    if (h < 1 || w < 1) {
      const at = convH < 1 || convW < 1 ? `convolution of block ${block}` : `pooling of block ${block}`;
      throw invalidArgument(
        'config.filters',
        `conv blocks that keep the ${config.inputShape[0]}x${config.inputShape[1]} input at least 1x1 ` +
          `(kernelSize ${config.kernelSize}, padding '${config.padding}', each block halving the size)`,
        config.filters,
        `The feature map vanishes at the ${at}: use fewer filters entries, padding 'same', a smaller kernelSize or a larger input.`,
      );
    }
  }
}

function checkTransformer(config: Required<TransformerConfig>): void {
  checkPositiveInt('config.vocabSize', config.vocabSize);
  if (config.vocabSize < 2) {
    throw invalidArgument('config.vocabSize', 'an integer of at least 2 (id 0 is padding)', config.vocabSize);
  }
  checkPositiveInt('config.maxLen', config.maxLen);
  checkPositiveInt('config.dModel', config.dModel);
  checkPositiveInt('config.heads', config.heads);
  if (config.dModel % config.heads !== 0) {
    const divisors = Array.from({ length: config.dModel }, (_, i) => i + 1).filter((d) => config.dModel % d === 0);
    throw invalidArgument(
      'config.heads',
      `a divisor of dModel (${config.dModel}): heads must divide dModel, each head attending over dModel / heads dimensions`,
      config.heads,
      `Use one of ${divisors.slice(0, 12).join(', ')}${divisors.length > 12 ? ', ...' : ''}, or change dModel.`,
    );
  }
  checkPositiveInt('config.ffDim', config.ffDim);
  checkPositiveInt('config.layers', config.layers);
  checkOneOf('config.pooling', config.pooling, ['mean', 'first']);
}

function checkPositiveInt(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidArgument(name, 'a positive integer', value);
  }
}

function checkIntList(name: string, value: unknown, minLength: number): void {
  if (!Array.isArray(value) || value.length < minLength) {
    const what = minLength > 0 ? `a non-empty array of positive integers` : 'an array of positive integers';
    throw invalidArgument(name, what, value);
  }
  value.forEach((v, i) => checkPositiveInt(`${name}[${i}]`, v));
}

function checkShape(name: string, value: unknown, min: number, max: number, form?: string): void {
  const length = min === max ? `${min}` : `${min} to ${max}`;
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw invalidArgument(name, `${form ?? 'a shape'}: an array of ${length} positive integers (no batch dimension)`, value);
  }
  value.forEach((v, i) => checkPositiveInt(`${name}[${i}]`, v));
}

function checkOneOf(name: string, value: unknown, options: readonly unknown[]): void {
  if (!options.includes(value)) {
    throw invalidArgument(name, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, value);
  }
}

/** So a caller mutating its config afterwards cannot change what a built model claims to be. */
function copyArrays<T extends object>(config: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k] = Array.isArray(v) ? [...v] : v;
  return out as T;
}
