/** Grouping the runs table (`group=` experiment, sweep or tag:<key>): the flat list of group headers and rows the table virtualizes. */
import { runLabel } from '../format';
import type { Row } from './runs-data';

export type Item = { kind: 'group'; key: string; label: string; count: number; collapsed: boolean } | { kind: 'run'; row: Row };

const SWEEP_TAG = 'labbook.sweep';
const isSweep = (row: Row | undefined) => row?.run.tags[SWEEP_TAG] === 'parent';

/** The `group=` choices: none, experiment, sweep, and each tag key of the loaded runs. */
export function groupChoices(tagKeys: readonly string[], current: string): { value: string; label: string }[] {
  const tags = tagKeys.filter((key) => key !== SWEEP_TAG).map((key) => `tag:${key}`);
  // A permalink's tag keeps its place in the list before the runs that have it have loaded.
  if (current.startsWith('tag:') && !tags.includes(current)) tags.push(current);
  return [{ value: '', label: 'no grouping' }, { value: 'experiment', label: 'experiment' }, { value: 'sweep', label: 'sweep' }, ...tags.map((value) => ({ value, label: value }))];
}

type Keyer = (row: Row) => { key: string; label: () => string };

function keyer(group: string, rows: readonly Row[]): Keyer | null {
  if (group === 'experiment') return ({ run }) => ({ key: run.experiment, label: () => run.experiment });
  if (group === 'sweep') {
    const byId = new Map(rows.map((row) => [row.run.id, row]));
    return (row) => {
      // A sweep's parent run heads its own trials' group.
      const id = isSweep(row) ? row.run.id : row.run.parent;
      if (id === null) return { key: '', label: () => 'not in a sweep' };
      const parent = byId.get(id);
      const what = parent && !isSweep(parent) ? 'parent run' : 'sweep';
      return { key: String(id), label: () => `${what} ${id}${parent ? ` · ${runLabel(parent.run)} (${parent.run.experiment})` : ''}` };
    };
  }
  if (group.startsWith('tag:')) {
    const tag = group.slice(4);
    return ({ run }) => {
      const has = Object.prototype.hasOwnProperty.call(run.tags, tag);
      return has ? { key: `=${run.tags[tag]}`, label: () => `${tag} = ${run.tags[tag]}` } : { key: '', label: () => `no tag ${tag}` };
    };
  }
  return null;
}

/** Rows under group headers, groups in the order their first run comes in the server's sort. */
export function groupItems(rows: readonly Row[], group: string, collapsed: ReadonlySet<string>): Item[] {
  const keyOf = keyer(group, rows);
  if (!keyOf) return rows.map((row) => ({ kind: 'run', row }));
  const groups = new Map<string, { label: string; rows: Row[] }>();
  for (const row of rows) {
    const { key, label } = keyOf(row);
    const found = groups.get(key);
    if (found) found.rows.push(row);
    else groups.set(key, { label: label(), rows: [row] });
  }
  const items: Item[] = [];
  for (const [key, { label, rows: members }] of groups) {
    const closed = collapsed.has(key);
    items.push({ kind: 'group', key, label, count: members.length, collapsed: closed });
    if (!closed) for (const row of members) items.push({ kind: 'run', row });
  }
  return items;
}
