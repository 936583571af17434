/** Artifacts as bytes + media type: encoding what runs log, and typed, hash-verified read-back (no plotting here). */
import { invalidArgument, LabbookError } from '../errors';
import { canonicalJson } from '../repro/hash';
import { closestName } from '../suggest';
import type { Db } from './database';
import type { ObjectStore } from './objects';
import { readRunRow } from './read';
import type { Json } from './types';

export const FIGURE_MEDIA_TYPE = 'application/vnd.labbook.figure+json';
export const CLASSIFICATION_REPORT_MEDIA_TYPE = 'application/vnd.labbook.classification-report+json';

/** A plotly.js figure spec, structurally (the registry does not import the plots module). */
export interface FigureSpec {
  data: object[];
  layout: object;
}

interface ReportRowSpec {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** metrics.classificationReport()'s shape, structurally. */
export interface ClassificationReportSpec {
  classes: (ReportRowSpec & { label: string })[];
  accuracy: number;
  macroAvg: ReportRowSpec;
  weightedAvg: ReportRowSpec;
}

export type ArtifactData = Uint8Array | string | Json | FigureSpec | ClassificationReportSpec;

/** An artifact read back: its bytes, already checked against the SHA-256 recorded for it. */
export interface StoredArtifact {
  name: string;
  mediaType: string;
  sha256: string;
  bytes: Uint8Array;
}

/**
 * What gets stored for a logged value. JSON (figures and reports included) is canonical: keys
 * sorted, so the same figure is the same bytes, hence one object however many runs log it.
 */
export function encodeArtifact(name: string, data: ArtifactData, mediaType?: string): { bytes: Uint8Array; mediaType: string } {
  if (data instanceof Uint8Array) return { bytes: data, mediaType: mediaType ?? 'application/octet-stream' };
  if (typeof data === 'string') return { bytes: Buffer.from(data, 'utf8'), mediaType: mediaType ?? 'text/plain; charset=utf-8' };
  const bytes = Buffer.from(canonicalJson(data, `artifact ${name}`), 'utf8');
  const kind = isFigureSpec(data) ? FIGURE_MEDIA_TYPE : isClassificationReport(data) ? CLASSIFICATION_REPORT_MEDIA_TYPE : 'application/json';
  return { bytes, mediaType: mediaType ?? kind };
}

const FIGURE_KEYS = new Set(['data', 'layout', 'frames', 'config']);

export function isFigureSpec(x: unknown): x is FigureSpec {
  if (!isObject(x)) return false;
  const f = x as { data?: unknown; layout?: unknown };
  return Array.isArray(f.data) && f.data.every(isObject) && isObject(f.layout) && Object.keys(x).every((k) => FIGURE_KEYS.has(k));
}

export function isClassificationReport(x: unknown): x is ClassificationReportSpec {
  if (!isObject(x)) return false;
  const r = x as { classes?: unknown; accuracy?: unknown; macroAvg?: unknown; weightedAvg?: unknown };
  const row = (v: unknown) => isObject(v) && ['precision', 'recall', 'f1', 'support'].every((k) => typeof (v as Record<string, unknown>)[k] === 'number');
  return (
    Array.isArray(r.classes) &&
    r.classes.every((c) => row(c) && typeof (c as { label?: unknown }).label === 'string') &&
    typeof r.accuracy === 'number' &&
    row(r.macroAvg) &&
    row(r.weightedAvg)
  );
}

function isObject(x: unknown): x is object {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Uint8Array);
}

/** Reads one artifact of a run; a name the run lacks is NOT_FOUND with the names it has. */
export function readArtifact(db: Db, objects: ObjectStore, runId: number, name: string): StoredArtifact {
  if (typeof name !== 'string' || name === '') throw invalidArgument('artifact name', 'a non-empty string', name);
  readRunRow(db, runId);
  const row = db.prepare('SELECT sha256, media_type AS mediaType FROM artifacts WHERE run_id = ? AND name = ?').get(runId, name) as
    | { sha256: string; mediaType: string }
    | undefined;
  if (!row) {
    const known = db.prepare('SELECT name FROM artifacts WHERE run_id = ? ORDER BY name').pluck().all(runId) as string[];
    const guess = closestName(name, known);
    throw new LabbookError(
      'NOT_FOUND',
      `Run ${runId} has no artifact ${JSON.stringify(name)}: expected ${known.length ? `one of ${known.map((k) => JSON.stringify(k)).join(', ')}` : 'an artifact it logged (it logged none)'}. ${guess ? `Did you mean ${JSON.stringify(guess)}?` : `See them with \`labbook show ${runId}\`.`}`,
    );
  }
  // objects.get re-hashes the bytes: a corrupt or swapped file is HASH_MISMATCH, never returned.
  return { name, mediaType: row.mediaType, sha256: row.sha256, bytes: objects.get(row.sha256) };
}

/**
 * An artifact's JSON, parsed; `check` (a type guard) must accept it before it is returned as T:
 * `readJsonArtifact(registry.getArtifact(7, 'preprocessing'), isPipelineState)`.
 */
export function readJsonArtifact<T = Json>(artifact: StoredArtifact, check?: (x: unknown) => x is T): T {
  if (!/^application\/(json|[^;]*\+json)(;|$)/.test(artifact.mediaType)) {
    throw wrongArtifact(artifact, 'JSON (application/json or a +json media type)', `media type ${artifact.mediaType}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(artifact.bytes).toString('utf8'));
  } catch (error) {
    throw wrongArtifact(artifact, 'valid JSON', `bytes that do not parse (${(error as Error).message})`);
  }
  if (check && !check(value)) throw wrongArtifact(artifact, 'JSON of the asked shape', 'JSON of another shape');
  return value as T;
}

/** A figure artifact as a plotly figure spec, checked to be one (data: objects, layout: object). */
export function readFigure(artifact: StoredArtifact): FigureSpec {
  const figure = readJsonArtifact(artifact);
  if (!isFigureSpec(figure)) throw wrongArtifact(artifact, 'a figure ({data: [...], layout: {...}})', 'JSON of another shape');
  return figure;
}

/** A classification report artifact (metrics.classificationReport()), checked field by field. */
export function readClassificationReport(artifact: StoredArtifact): ClassificationReportSpec {
  const report = readJsonArtifact(artifact);
  if (!isClassificationReport(report)) throw wrongArtifact(artifact, 'a classification report ({classes, accuracy, macroAvg, weightedAvg})', 'JSON of another shape');
  // Stored JSON is canonical (keys sorted); read back, the fields come in the report's own order
  // (label, precision, recall, f1, support), which is how a table of them reads. Extra keys are dropped.
  const row = (r: ClassificationReportSpec['macroAvg']) => ({ precision: r.precision, recall: r.recall, f1: r.f1, support: r.support });
  return {
    classes: report.classes.map((c) => ({ label: c.label, ...row(c) })),
    accuracy: report.accuracy,
    macroAvg: row(report.macroAvg),
    weightedAvg: row(report.weightedAvg),
  };
}

function wrongArtifact(artifact: StoredArtifact, expected: string, received: string): LabbookError {
  return new LabbookError(
    'INVALID_ARGUMENT',
    `Artifact ${JSON.stringify(artifact.name)} is not what was asked for: expected ${expected}, received ${received}. Read its raw bytes with registry.getArtifact() or \`labbook artifact ID ${artifact.name}\`.`,
  );
}
