/** Vocabulary: token <-> id, built deterministically from token counts, encoding to padded Int32Array rows. */
import { invalidArgument } from '../../errors';

export interface VocabularyOptions {
  /** Keep tokens seen at least this often (default 1). */
  minFreq?: number;
  /** Most ids in all, specials included (default: no limit). */
  maxSize?: number;
  /** Reserved tokens at ids 0, 1, ...: the first is padding, the second stands for unknown tokens. */
  specials?: string[];
}

export interface EncodeOptions {
  /** Pad with the padding id or truncate to exactly this many ids. */
  maxLen?: number;
  /** Which end to cut when too long (default 'end': keep the first tokens). */
  truncate?: 'start' | 'end';
  /** Which end to pad (default 'end'). */
  pad?: 'start' | 'end';
}

export type VocabularyState = { kind: 'vocabulary'; version: 1; specials: string[]; tokens: string[] };

export class Vocabulary {
  /** Id of the padding token (0). */
  readonly padId = 0;
  /** Id that unknown tokens map to (1). */
  readonly unkId = 1;
  private readonly ids: Map<string, number>;

  private constructor(
    private readonly tokens: readonly string[],
    readonly specials: readonly string[],
  ) {
    this.ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /**
   * Counts tokens over all lists and orders them by count, most frequent first, ties by code-unit
   * order of the token (not locale order, which differs between machines) — so the same corpus
   * gives the same ids everywhere.
   */
  static build(tokenLists: Iterable<readonly string[]>, options: VocabularyOptions = {}): Vocabulary {
    const specials = options.specials ?? ['<pad>', '<unk>'];
    if (!Array.isArray(specials) || specials.length < 2 || specials.some((s) => typeof s !== 'string') || new Set(specials).size !== specials.length) {
      throw invalidArgument('specials', 'at least two distinct strings (padding, then unknown)', specials);
    }
    const minFreq = options.minFreq ?? 1;
    if (!Number.isSafeInteger(minFreq) || minFreq < 1) throw invalidArgument('minFreq', 'a positive integer', minFreq);
    const maxSize = options.maxSize ?? Infinity;
    if (maxSize !== Infinity && (!Number.isSafeInteger(maxSize) || maxSize < specials.length)) {
      throw invalidArgument('maxSize', `an integer of at least ${specials.length} (the specials count)`, maxSize);
    }
    if (tokenLists === null || typeof tokenLists !== 'object' || typeof (tokenLists as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw invalidArgument('tokenLists', 'an iterable of token arrays', tokenLists);
    }
    const counts = new Map<string, number>();
    for (const list of tokenLists) {
      if (!Array.isArray(list)) throw invalidArgument('tokenLists', 'arrays of tokens (strings)', list);
      for (const token of list) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    const reserved = new Set(specials);
    const ranked = [...counts]
      .filter(([token, count]) => count >= minFreq && !reserved.has(token))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize - specials.length)
      .map(([token]) => token);
    return new Vocabulary([...specials, ...ranked], [...specials]);
  }

  get size(): number {
    return this.tokens.length;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The token's id, or the unknown id. */
  idOf(token: string): number {
    return this.ids.get(token) ?? this.unkId;
  }

  tokenOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) throw invalidArgument('id', `an integer from 0 to ${this.tokens.length - 1}`, id);
    return this.tokens[id];
  }

  /** Ids of the tokens; with maxLen, exactly maxLen of them (truncated, or padded with padId). */
  encode(tokens: readonly string[], options: EncodeOptions = {}): Int32Array {
    if (!Array.isArray(tokens)) throw invalidArgument('tokens', 'an array of tokens', tokens);
    const maxLen = options.maxLen ?? tokens.length;
    if (!Number.isSafeInteger(maxLen) || maxLen < 0) throw invalidArgument('maxLen', 'a non-negative integer', maxLen);
    const truncate = options.truncate ?? 'end';
    const pad = options.pad ?? 'end';
    if (truncate !== 'start' && truncate !== 'end') throw invalidArgument('truncate', "'start' or 'end'", truncate);
    if (pad !== 'start' && pad !== 'end') throw invalidArgument('pad', "'start' or 'end'", pad);
    const kept = tokens.length <= maxLen ? tokens : truncate === 'end' ? tokens.slice(0, maxLen) : tokens.slice(tokens.length - maxLen);
    const out = new Int32Array(maxLen).fill(this.padId);
    const offset = pad === 'end' ? 0 : maxLen - kept.length;
    for (let i = 0; i < kept.length; i++) out[offset + i] = this.idOf(kept[i]);
    return out;
  }

  /** One row per token list, all of length maxLen (default: the longest list). */
  encodeBatch(tokenLists: readonly (readonly string[])[], options: EncodeOptions = {}): Int32Array[] {
    const maxLen = options.maxLen ?? tokenLists.reduce((m, l) => Math.max(m, l.length), 0);
    return tokenLists.map((tokens) => this.encode(tokens, { ...options, maxLen }));
  }

  /** Tokens of ids, padding left out. */
  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids).filter((id) => id !== this.padId).map((id) => this.tokenOf(id));
  }

  toJSON(): VocabularyState {
    return { kind: 'vocabulary', version: 1, specials: [...this.specials], tokens: this.tokens.slice(this.specials.length) };
  }

  static fromJSON(state: VocabularyState): Vocabulary {
    const ok =
      state && state.kind === 'vocabulary' && state.version === 1 && Array.isArray(state.specials) && state.specials.length >= 2 && Array.isArray(state.tokens) &&
      [...state.specials, ...state.tokens].every((t) => typeof t === 'string');
    if (!ok) throw invalidArgument('state', 'a vocabulary state with version 1 (from toJSON())', state);
    const all = [...state.specials, ...state.tokens];
    if (new Set(all).size !== all.length) throw invalidArgument('state.tokens', 'distinct tokens', state.tokens);
    return new Vocabulary(all, [...state.specials]);
  }
}
