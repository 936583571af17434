/** Names of metrics, params, config keys and tags: their length limits and prototype-free records. */
import { LabbookError } from '../errors';

/**
 * A metric name is stored with every point of its history and in two indexes, so one 16 MB name
 * made a 53 MB database. 250 characters is MLflow's limit for the same keys; tag values, shown in
 * listings and stored whole, get MLflow's 8,000. Config and param values are not limited: each is
 * stored once, and a long array of settings is a real config.
 */
export const MAX_KEY_LENGTH = 250;
export const MAX_TAG_VALUE_LENGTH = 8000;

export type KeyKind = 'metric name' | 'config key' | 'param key' | 'tag name';

/** Refuses a key longer than the limit, naming what it was and how long. */
export function checkKeyLength(kind: KeyKind, key: string): void {
  if (key.length <= MAX_KEY_LENGTH) return;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `${capitalize(kind)} too long: expected at most ${MAX_KEY_LENGTH} characters, received ${key.length} (${JSON.stringify(key.slice(0, 40))}...). Use a shorter name; put long text in a tag value, a config value or an artifact.`,
  );
}

export function checkTagValueLength(key: string, value: string): void {
  if (value.length <= MAX_TAG_VALUE_LENGTH) return;
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `Tag \`${key.slice(0, 40)}\` too long: expected a value of at most ${MAX_TAG_VALUE_LENGTH} characters, received ${value.length}. Store long text as an artifact (run.logArtifact) and tag its name.`,
  );
}

/**
 * An empty record without a prototype: a key such as `__proto__` is then an ordinary key (on a
 * `{}` assigning it sets the prototype and the value vanishes), and reading an absent
 * `constructor` or `toString` gives undefined rather than Object's function.
 */
export function dict<T>(): { [key: string]: T } {
  return Object.create(null) as { [key: string]: T };
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
