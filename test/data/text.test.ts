import { describe, expect, it } from 'vitest';
import { bucketBatches, stripEmailHeaders, tokenize, Vocabulary } from '../../kernel-lib/src/data';
import { withoutMathRandom } from './fixtures';

describe('tokenize', () => {
  it('lowercases and splits words, numbers and punctuation in any script', () => {
    expect(tokenize("Don't PAY $1,000.50 now!!")).toEqual(["don't", 'pay', '$', '1,000.50', 'now', '!', '!']);
    expect(tokenize('Naïve café — Ünïcode ＦＵＬＬ wïdth, Ελληνικά καλά; 東京')).toEqual([
      'naïve', 'café', '—', 'ünïcode', 'full', 'wïdth', ',', 'ελληνικά', 'καλά', ';', '東京',
    ]);
    expect(tokenize('it’s mp3 e-mail')).toEqual(["it's", 'mp3', 'e', '-', 'mail']);
    expect(tokenize('   ')).toEqual([]);
  });

  it('strips e-mail headers, keeping the subject', () => {
    const message = 'From someone  Thu Aug 22 2002\nReturn-Path: <a@b.c>\nSubject: Cheap\n  meds now\nTo: x@y.z\n\nHello there.\n\nBye.';
    expect(stripEmailHeaders(message)).toBe('Cheap meds now\n\nHello there.\n\nBye.');
    expect(stripEmailHeaders(message, { keep: [] })).toBe('Hello there.\n\nBye.');
    expect(stripEmailHeaders('Just a sentence.\n\nAnd more.')).toBe('Just a sentence.\n\nAnd more.');
  });
});

describe('Vocabulary', () => {
  const docs = [tokenize('the cat sat on the mat'), tokenize('the dog sat'), tokenize('a cat and a dog')];

  it('puts <pad> at 0 and <unk> at 1, then tokens by count, ties in code-unit order', () => {
    const vocab = Vocabulary.build(docs);
    // the: 3; a, cat, dog, sat: 2; and, mat, on: 1
    expect(vocab.toJSON().tokens).toEqual(['the', 'a', 'cat', 'dog', 'sat', 'and', 'mat', 'on']);
    expect(vocab.idOf('<pad>')).toBe(0);
    expect(vocab.idOf('<unk>')).toBe(1);
    expect(vocab.idOf('zebra')).toBe(1);
    expect(vocab.size).toBe(10);
    // Input order does not matter.
    expect(Vocabulary.build([...docs].reverse()).toJSON()).toEqual(vocab.toJSON());
  });

  it('honours minFreq and maxSize (specials included)', () => {
    expect(Vocabulary.build(docs, { minFreq: 2 }).toJSON().tokens).toEqual(['the', 'a', 'cat', 'dog', 'sat']);
    const small = Vocabulary.build(docs, { maxSize: 4 });
    expect(small.size).toBe(4);
    expect(small.toJSON().tokens).toEqual(['the', 'a']);
  });

  it('encodes to Int32Array rows padded or truncated to maxLen, and round-trips through JSON', () => {
    const vocab = Vocabulary.build(docs);
    const row = vocab.encode(tokenize('the zebra sat'), { maxLen: 5 });
    expect(row).toBeInstanceOf(Int32Array);
    expect(Array.from(row)).toEqual([2, 1, 6, 0, 0]);
    expect(Array.from(vocab.encode(tokenize('the cat sat on the mat'), { maxLen: 3 }))).toEqual([2, 4, 6]);
    expect(Array.from(vocab.encode(tokenize('the cat sat on the mat'), { maxLen: 3, truncate: 'start' }))).toEqual([9, 2, 8]);
    expect(Array.from(vocab.encode(['cat'], { maxLen: 3, pad: 'start' }))).toEqual([0, 0, 4]);
    const batch = vocab.encodeBatch([['cat'], ['the', 'dog', 'sat']]);
    expect(batch.map((r) => Array.from(r))).toEqual([[4, 0, 0], [2, 5, 6]]);
    const restored = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab.toJSON())));
    expect(Array.from(restored.encode(tokenize('the zebra sat'), { maxLen: 5 }))).toEqual(Array.from(row));
    expect(restored.decode(row)).toEqual(['the', '<unk>', 'sat']);
  });
});

describe('bucketBatches', () => {
  const lengths = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 97);

  it('covers every index once, in batches of similar length', () => {
    const batches = bucketBatches(lengths, 32, 3);
    const all = batches.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(batches.filter((b) => b.length !== 32)).toHaveLength(1); // 1000 = 31 * 32 + 8
    // Within a batch the spread of lengths is far below the spread of the whole set (0..96).
    const spreads = batches.map((b) => Math.max(...b.map((i) => lengths[i])) - Math.min(...b.map((i) => lengths[i])));
    expect(Math.max(...spreads)).toBeLessThanOrEqual(10);
    expect(bucketBatches(lengths, 32, 3, { dropLast: true })).toHaveLength(31);
  });

  it('is deterministic per seed, differs across seeds, never calls Math.random', () => {
    const a = withoutMathRandom(() => bucketBatches(lengths, 16, 42));
    expect(bucketBatches(lengths, 16, 42)).toEqual(a);
    expect(bucketBatches(lengths, 16, 43)).not.toEqual(a);
    // A pinned value: the batches of a given seed must not change between labbook versions.
    expect(bucketBatches([5, 1, 4, 2, 3, 9, 7, 8, 6, 0], 3, 1, { poolFactor: 2 })).toEqual([[8], [1, 3, 4], [9, 2, 0], [6, 7, 5]]);
  });
});

describe('loading cost', () => {
  it('the text pipeline and splits never load danfo or TensorFlow.js', async () => {
    const { createRequire } = await import('node:module');
    const cache = createRequire(__filename).cache;
    const { splitIndices } = await import('../../kernel-lib/src/data');
    splitIndices(10, { train: 0.5, test: 0.5 }, 1);
    Vocabulary.build([tokenize('a b')]).encode(['a'], { maxLen: 2 });
    expect(Object.keys(cache).filter((path) => /danfojs-node|@tensorflow/.test(path))).toEqual([]);
  });
});
