import { describe, expect, it } from 'vitest';
import { showOn } from '../../kernel-lib/src/display/show';
import { EVIL } from './fixture';
import { recordingSink, textStream } from './recording';

const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';
const notebook = () => {
  const sink = recordingSink();
  return { target: { kind: 'notebook' as const, sink }, sink };
};
const bodyRows = (html: string) => html.split('<tbody>')[1].split('</tbody>')[0].split('</tr>').filter(Boolean);

describe('show() of plain data: rows and scalar objects as rounded tables', () => {
  it('rows of plain objects (SQL results) are a table: columns in first-seen order, numbers to 4 significant digits, text escaped', () => {
    const { target, sink } = notebook();
    showOn(target, [
      { id: 3, learning_rate: 0.003, best_val_loss: 0.123456789 },
      { id: 4, learning_rate: 0.01, best_val_loss: 0.0000123456, note: EVIL },
    ]);
    const html = sink.outputs[0].data['text/html'] as string;
    expect(html).toContain('<th>id</th><th>learning_rate</th><th>best_val_loss</th><th>note</th>');
    const rows = bodyRows(html);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('<td>3</td><td>0.003</td><td>0.1235</td><td');
    expect(rows[1]).toContain('<td>1.235e-5</td>');
    expect(rows[1]).toContain(ESCAPED);
    expect(html).not.toContain('<script>');
    expect(html).toContain('2 rows');
    expect(sink.outputs[0].data['text/plain']).toMatch(/id\s+learning_rate\s+best_val_loss\s+note\n3\s+0\.003\s+0\.1235/);
  });

  it('one plain object of scalars (a run\'s metrics) is a key/value table; digits is an option', () => {
    const { target, sink } = notebook();
    showOn(target, { test_accuracy: 0.93123456, test_macro_f1: 0.9, epochs: 10 }, { digits: 2 });
    const rows = bodyRows(sink.outputs[0].data['text/html'] as string);
    expect(rows.map((r) => r.replace(/<[^>]+>/g, ' ').trim().split(/\s+/))).toEqual([
      ['test_accuracy', '0.93'],
      ['test_macro_f1', '0.9'],
      ['epochs', '10'],
    ]);
  });

  it('text output outside a notebook is the same table', () => {
    const stream = textStream();
    showOn({ kind: 'stream', stream }, { loss: 0.123456, name: 'mlp' });
    expect(stream.text).toMatch(/key\s+value\nloss\s+0\.1235\nname\s+mlp\n/);
  });

  it('objects with nested values, class instances and empty objects keep their inspect form', () => {
    for (const value of [{ a: { b: 1 } }, new Map([['a', 1]]), {}, [{ a: [1] }]]) {
      const { target, sink } = notebook();
      showOn(target, value);
      expect(Object.keys(sink.outputs[0].data)).toEqual(['text/plain']);
    }
  });

  it('a bad digits option is refused with the error template', () => {
    const { target } = notebook();
    expect(() => showOn(target, { a: 0.5 }, { digits: 0 })).toThrow(/Invalid value for `digits`: expected an integer from 1 to 17, received 0/);
  });
});
