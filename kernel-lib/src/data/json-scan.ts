/**
 * A small JSON walker used only after JSON.parse has failed or a record was found wrong: it finds
 * the offset of a syntax error, or of record k (and one of its keys), which JSON.parse cannot say.
 */

export interface SyntaxProblem {
  offset: number;
  expected: string;
  received: string;
}

class Problem {
  constructor(readonly offset: number, readonly expected: string) {}
}

class Found {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Walker {
  private i = 0;
  private element = -1;

  constructor(
    private readonly text: string,
    private readonly target?: { element: number; key?: string },
  ) {}

  run(): void {
    this.value(0);
    this.ws();
    if (this.i < this.text.length) this.fail('the end of the input after the top-level value');
  }

  private fail(expected: string): never {
    throw new Problem(this.i, expected);
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
    this.i++;
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let k = 0; ; k++) {
      this.ws();
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
    this.i++;
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail('a quoted property name');
      const key = this.string();
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

/** Where and why the text is not JSON, or undefined when it is. */
export function findSyntaxProblem(text: string): SyntaxProblem | undefined {
  try {
    new Walker(text).run();
    return undefined;
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    const rest = text.slice(e.offset, e.offset + 20);
    return { offset: e.offset, expected: e.expected, received: rest === '' ? 'the end of the file' : JSON.stringify(rest) };
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
