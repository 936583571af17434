/** The environment runs were recorded in, as a key/value table for reports (not a diff: every key is shown). */
import type { Json } from '../registry/types';
import { formatCell } from './format';
import { escapeHtml } from './table';

export interface RunEnvironment {
  id: number;
  env: Json;
}

/**
 * One row per dotted key (`os.platform`, `backend.skipped.0.reason`) with its value and the runs
 * that have it: "all" when every run agrees, else one row per distinct value. Values are escaped
 * and wrapped in full, never cut: a truncated JSON blob hides exactly the part that differs.
 */
export function environmentHtml(runs: readonly RunEnvironment[]): string {
  const flat = runs.map((r) => flattenEnv(r.env));
  const keys = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  if (keys.length === 0) return '<div class="lb-caption">These runs recorded no environment.</div>';
  const rows: string[] = [];
  for (const key of keys) {
    const byValue = new Map<string, number[]>();
    flat.forEach((f, i) => {
      const value = f.has(key) ? f.get(key)! : '(not recorded)';
      byValue.set(value, [...(byValue.get(value) ?? []), runs[i].id]);
    });
    const values = [...byValue.entries()];
    values.forEach(([value, ids], v) => {
      const who = values.length === 1 ? 'all' : ids.map((id) => `#${id}`).join(', ');
      const head = v === 0 ? `<th rowspan="${values.length}" style="${WRAP}">${escapeHtml(key)}</th>` : '';
      rows.push(`<tr${values.length > 1 ? ' class="lb-differs"' : ''}>${head}<td style="${WRAP}">${escapeHtml(value)}</td><td class="lb-text">${escapeHtml(who)}</td></tr>`);
    });
  }
  const differing = keys.filter((k) => new Set(flat.map((f) => f.get(k) ?? '(not recorded)')).size > 1).length;
  const caption = `${keys.length} keys${runs.length > 1 ? `, ${differing} differing between runs` : ''}`;
  return (
    `<div class="lb-scroll"><table class="lb-table lb-env"><thead><tr><th>key</th><th>value</th><th>runs</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div><div class="lb-caption">${caption}</div>`
  );
}

// Long values (a CPU model, a skipped backend's reason) wrap in their cell instead of widening the page.
const WRAP = 'white-space:pre-wrap;overflow-wrap:anywhere;max-width:60ch;text-align:left';

/** Nested objects and arrays to dotted paths (arrays by index), each leaf as text. */
function flattenEnv(value: Json, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) flattenEnv(item as Json, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : formatCell(value));
  }
  return out;
}
