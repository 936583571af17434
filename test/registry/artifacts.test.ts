import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { figurePage } from '../../kernel-lib/src/display/figure-page';
import { classificationReport } from '../../kernel-lib/src/metrics/prf';
import { confusionMatrixHeatmap } from '../../kernel-lib/src/plots/confusion';
import { openRegistry, readClassificationReport, readFigure, readJsonArtifact, type Registry } from '../../kernel-lib/src/registry';
import { ROOT, runNode } from '../helpers';
import { onBothStores, registryDb } from '../support/both-stores';

onBothStores();

let registry: Registry | undefined;
afterEach(() => registry?.close());

const LABELS = ['Adelie', 'Chinstrap', 'Gentoo'];
/** Built fresh each time, as a reproduced run would: equal content, different objects. */
const confusion = () => confusionMatrixHeatmap([[50, 2, 0], [3, 20, 1], [0, 0, 48]], LABELS);

function objectFiles(r: Registry): string[] {
  return readdirSync(r.objects.dir).filter((f) => /^[0-9a-f]{64}$/.test(f));
}

describe('figures and classification reports as artifacts', () => {
  it('stores a figure as small canonical JSON: the same figure from two runs is one object', () => {
    registry = openRegistry({ db: registryDb() });
    const records = [1, 2].map((seed) =>
      registry!.withRun({ experiment: 'penguins', seed }, (run) => {
        const first = run.logArtifact('confusion', confusion());
        const again = run.logArtifact('confusion', confusion());
        expect(again.sha256).toBe(first.sha256);
        return first;
      }),
    );
    return Promise.all(records).then(([a, b]) => {
      expect(b.sha256).toBe(a.sha256);
      expect(a.mediaType).toBe('application/vnd.labbook.figure+json');
      expect(a.bytes).toBeLessThan(100 * 1024);
      expect(objectFiles(registry!)).toEqual([a.sha256]);
    });
  });

  it('reads a figure back, verified and shape-checked, and renders it to the same HTML bytes every time', async () => {
    registry = openRegistry({ db: registryDb() });
    const id = await registry.withRun({ experiment: 'penguins', seed: 1 }, (run) => {
      run.logArtifact('confusion', confusion());
      return run.id;
    });
    const stored = registry.getArtifact(id, 'confusion');
    expect(stored.name).toBe('confusion');
    expect(stored.mediaType).toBe('application/vnd.labbook.figure+json');
    expect(stored.sha256).toBe(registry.getRun(id).artifacts[0].sha256);
    const figure = readFigure(stored);
    expect(figure).toEqual(JSON.parse(JSON.stringify(confusion())));
    const page = figurePage(figure);
    expect(figurePage(readFigure(registry.getArtifact(id, 'confusion')))).toBe(page);
    expect(figurePage(confusion())).toBe(page); // key order does not change the page either
  });

  it('stores a classification report under its own media type and reads it back typed', async () => {
    registry = openRegistry({ db: registryDb() });
    const report = classificationReport([0, 1, 2, 2, 1], [0, 1, 2, 1, 1], { labelNames: LABELS });
    const id = await registry.withRun({ experiment: 'penguins', seed: 1 }, (run) => {
      expect(run.logArtifact('report', report).mediaType).toBe('application/vnd.labbook.classification-report+json');
      run.logArtifact('prep', { mean: [1, 2] });
      run.logArtifact('notes', 'plain text');
      return run.id;
    });
    const back = readClassificationReport(registry.getArtifact(id, 'report'));
    expect(back).toEqual(report);
    // Stored canonically (keys sorted), read back in the report's own field order, as a table of it reads.
    expect(Object.keys(back.classes[0])).toEqual(['label', 'precision', 'recall', 'f1', 'support']);
    expect(Object.keys(back.macroAvg)).toEqual(['precision', 'recall', 'f1', 'support']);
    const isPrep = (x: unknown): x is { mean: number[] } => Array.isArray((x as { mean?: unknown }).mean);
    expect(readJsonArtifact(registry.getArtifact(id, 'prep'), isPrep).mean).toEqual([1, 2]);
    // Shapes are checked before they are trusted.
    expect(() => readFigure(registry!.getArtifact(id, 'prep'))).toThrow(/Artifact "prep" is not what was asked for: expected a figure/);
    expect(() => readJsonArtifact(registry!.getArtifact(id, 'notes'))).toThrow(/expected JSON .*received media type text\/plain/);
    expect(() => readJsonArtifact(registry!.getArtifact(id, 'report'), isPrep)).toThrow(/expected JSON of the asked shape/);
  });

  it('names what is missing, and never returns bytes that fail their hash', async () => {
    registry = openRegistry({ db: registryDb() });
    const id = await registry.withRun({ experiment: 'penguins', seed: 1 }, (run) => {
      run.logArtifact('confusion', confusion());
      return run.id;
    });
    expect(() => registry!.getArtifact(id, 'confusoin')).toThrow(/^Run \d+ has no artifact "confusoin": expected one of "confusion"\. Did you mean "confusion"\?$/);
    expect(() => registry!.getArtifact(999, 'confusion')).toThrow(/No run with id 999/);
    const { sha256 } = registry.getArtifact(id, 'confusion');
    writeFileSync(join(registry.objects.dir, sha256), '{"data":[],"layout":{}}');
    expect(() => registry!.getArtifact(id, 'confusion')).toThrow(expect.objectContaining({ code: 'HASH_MISMATCH' }));
  });

  it("accepts labbook's own Figure and ClassificationReport types (type-checked with tsc)", async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const file = join(ROOT, 'test', 'fixtures', 'types', 'artifact-types.ts');
    const result = await runNode([tsc, '--noEmit', '--strict', '--skipLibCheck', '--types', 'node', '--target', 'ES2022', '--module', 'commonjs', '--esModuleInterop', file]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
