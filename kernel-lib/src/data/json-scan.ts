/**
 * A small JSON walker: it checks a file before JSON.parse for what JSON.parse would accept silently
 * (nesting past the limit, a duplicate key, a number past float64's range), and finds the offset
 * of a syntax error, or of record k (and one of its keys), which JSON.parse cannot say.
 */
import { lineAndColumn } from './errors';

export interface SyntaxProblem {
  offset: number;
  expected: string;
  received: string;
  fix?: string;
}

/**
 * Containers deep, counting the top-level array. A record is one level inside it and its values
 * are scalars, so anything near this is not a table; the bound keeps this walk's recursion (and
 * the messages that quote a value) far from the stack's end.
 */
export const MAX_JSON_DEPTH = 64;

class Problem {
  constructor(
    readonly offset: number,
    readonly expected: string,
    readonly received?: string,
    readonly fix?: string,
  ) {}
}

class Found {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Walker {
  private i = 0;
  private element = -1;
  /** Where the walk is (array indices and keys), for naming a duplicate key's object. */
  private readonly path: (number | string)[] = [];

  constructor(
    private readonly text: string,
    private readonly target?: { element: number; key?: string },
  ) {}

  run(): void {
    this.value(0);
    this.ws();
    if (this.i < this.text.length) this.fail('the end of the input after the top-level value');
  }

  private fail(expected: string, received?: string, fix?: string): never {
    throw new Problem(this.i, expected, received, fix);
  }

  private enter(depth: number): void {
    if (depth >= MAX_JSON_DEPTH) {
      this.fail(`at most ${MAX_JSON_DEPTH} levels of nested arrays and objects`, 'deeper nesting', 'Records are flat objects of column values: flatten the data first.');
    }
    this.path.length = depth;
  }

  private ws(): void {
    const t = this.text;
    while (this.i < t.length && (t[this.i] === ' ' || t[this.i] === '\t' || t[this.i] === '\n' || t[this.i] === '\r')) this.i++;
  }

  private value(depth: number): void {
    this.ws();
    const c = this.text[this.i];
    if (c === '[') return this.array(depth);
    if (c === '{') return this.object(depth);
    if (c === '"') return void this.string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = this.i;
      if (!NUMBER.test(this.text)) this.fail('a number');
      const literal = this.text.slice(this.i, NUMBER.lastIndex);
      // JSON.parse reads 1e400 as Infinity without a word; only long or exponent literals can overflow.
      if ((literal.length > 300 || /[eE]/.test(literal)) && !Number.isFinite(Number(literal))) {
        this.fail('a number within float64 range (magnitude below about 1.8e308)', literal, 'Fix the value, or quote it and declare the column a string.');
      }
      this.i = NUMBER.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail('a JSON value');
  }

  private array(depth: number): void {
    this.enter(depth);
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let k = 0; ; k++) {
      this.ws();
      this.path[depth] = k;
      if (depth === 0) {
        this.element = k;
        const t = this.target;
        if (t && t.element === k && t.key === undefined) throw new Found(this.i);
      }
      this.value(depth + 1);
      this.ws();
      const c = this.text[this.i];
      this.i++;
      if (c === ',') continue;
      if (c === ']') return;
      this.i--;
      this.fail("',' or ']' after an array element");
    }
  }

  private object(depth: number): void {
    this.enter(depth);
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    // JSON.parse keeps the last of two equal keys and drops the other value without a word.
    const seen = new Map<string, number>();
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail('a quoted property name');
      const keyAt = this.i;
      const key = this.string();
      const first = seen.get(key);
      if (first !== undefined) {
        this.i = keyAt;
        const where = this.path.slice(0, depth).map((p) => `[${JSON.stringify(p)}]`).join('');
        const at = lineAndColumn(this.text, first);
        this.fail(
          'distinct keys in each object',
          `the key ${JSON.stringify(key)} twice in the object at $${where} (first at line ${at.line}, column ${at.column})`,
          'Remove or rename one of the two (JSON.parse would keep only the last).',
        );
      }
      seen.set(key, keyAt);
      this.path[depth] = key;
      const t = this.target;
      this.ws();
      if (this.text[this.i] !== ':') this.fail("':' after a property name");
      this.i++;
      this.ws();
      if (depth === 1 && t && t.element === this.element && t.key === key) throw new Found(this.i);
      this.value(depth + 1);
      this.ws();
      const c = this.text[this.i];
      this.i++;
      if (c === ',') continue;
      if (c === '}') return;
      this.i--;
      this.fail("',' or '}' after a property value");
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.i++;
    while (this.i < t.length) {
      const c = t[this.i];
      if (c === '"') {
        this.i++;
        return JSON.parse(t.slice(start, this.i)) as string;
      }
      if (c === '\\') {
        const e = t[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) this.fail('four hex digits after \\u');
          this.i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.i += 2;
        } else {
          this.i++;
          this.fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        continue;
      }
      if (c < ' ') this.fail('no raw control character (such as a line break) inside a string');
      this.i++;
    }
    this.i = start;
    this.fail('a closing quote for this string');
  }
}

/** Where and why the text is not JSON (or is JSON that JSON.parse would read silently wrong), or undefined. */
export function findSyntaxProblem(text: string): SyntaxProblem | undefined {
  try {
    new Walker(text).run();
    return undefined;
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    const rest = text.slice(e.offset, e.offset + 20);
    const received = e.received ?? (rest === '' ? 'the end of the file' : JSON.stringify(rest));
    return { offset: e.offset, expected: e.expected, received, ...(e.fix === undefined ? {} : { fix: e.fix }) };
  }
}

/** Offset of top-level array element `element` (or of the value of its property `key`), if present. */
export function locateElement(text: string, element: number, key?: string): number | undefined {
  try {
    new Walker(text, { element, ...(key === undefined ? {} : { key }) }).run();
    return undefined;
  } catch (e) {
    if (e instanceof Found) return e.offset;
    if (e instanceof Problem) return undefined;
    throw e;
  }
}
