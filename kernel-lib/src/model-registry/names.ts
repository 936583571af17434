/** Names in the model registry: model and alias names, version numbers, and references like `spam@champion` or `spam/3`. */
import { describeValue, invalidArgument, LabbookError } from '../errors';

// Letters, digits, '.', '_' and '-' only: '@' and '/' then split a reference unambiguously,
// and a name is safe in a shell, a URL path and a file name.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const NAME_RULE = '1-100 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** What a reference names: a version by number, by alias, or (neither) the latest version. */
export interface ModelRef {
  name: string;
  version?: number;
  alias?: string;
}

export function checkModelName(name: unknown, what = 'model name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw invalidArgument(what, `a name of ${NAME_RULE}`, name);
  return name;
}

/** An alias may not read as a version number (`3`, `v3`) or `latest`, so a reference means one thing (as in MLflow). */
export function checkAlias(alias: unknown): string {
  const name = checkModelName(alias, 'alias');
  if (/^v?\d+$/i.test(name) || name.toLowerCase() === 'latest') {
    throw invalidArgument('alias', `a name that is not a version number or "latest" (those already mean a version)`, alias, 'Pick a word such as champion or challenger.');
  }
  return name;
}

export function checkVersion(version: unknown): number {
  const n = typeof version === 'string' && /^\d+$/.test(version) ? Number(version) : version;
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw invalidArgument('version', 'a version number (a positive integer)', version);
  return n as number;
}

/** Parses 'name@alias', 'name/3' or 'name'. */
export function parseModelRef(ref: unknown): ModelRef {
  if (typeof ref !== 'string' || ref === '') {
    throw invalidArgument('model', "a model reference: 'NAME' (its latest version), 'NAME/VERSION' or 'NAME@ALIAS'", ref);
  }
  const at = ref.indexOf('@');
  const slash = ref.indexOf('/');
  if (at >= 0 && slash >= 0) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid model reference ${describeValue(ref)}: expected 'NAME/VERSION' or 'NAME@ALIAS', not both. Drop one of them.`);
  }
  if (at >= 0) return { name: checkModelName(ref.slice(0, at)), alias: checkAlias(ref.slice(at + 1)) };
  if (slash >= 0) return { name: checkModelName(ref.slice(0, slash)), version: checkVersion(ref.slice(slash + 1)) };
  return { name: checkModelName(ref) };
}

/** How a reference is written back in messages. */
export function formatRef(ref: ModelRef): string {
  return ref.alias !== undefined ? `${ref.name}@${ref.alias}` : ref.version !== undefined ? `${ref.name}/${ref.version}` : ref.name;
}
