/** The compare answers kept by registry version: served only for the version they were made at, the least recently used leaving first. */
import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../kernel-lib/src/ui/answer-cache';

describe('AnswerCache', () => {
  it('answers only for the version an answer was made at', () => {
    const cache = new AnswerCache();
    cache.set('/api/compare?ids=1,2', '7', '{"a":1}');
    expect(cache.get('/api/compare?ids=1,2', '7')).toBe('{"a":1}');
    expect(cache.get('/api/compare?ids=1,2', '8')).toBeUndefined();
    expect(cache.get('/api/compare?ids=1,3', '7')).toBeUndefined();
    cache.set('/api/compare?ids=1,2', '8', '{"a":2}');
    expect(cache.get('/api/compare?ids=1,2', '8')).toBe('{"a":2}');
    expect(cache.get('/api/compare?ids=1,2', '7')).toBeUndefined();
  });

  it('keeps at most `max` answers, dropping the least recently read', () => {
    const cache = new AnswerCache(2);
    cache.set('a', '1', 'A');
    cache.set('b', '1', 'B');
    expect(cache.get('a', '1')).toBe('A');
    cache.set('c', '1', 'C');
    expect(cache.get('b', '1')).toBeUndefined();
    expect(cache.get('a', '1')).toBe('A');
    expect(cache.get('c', '1')).toBe('C');
  });
});
