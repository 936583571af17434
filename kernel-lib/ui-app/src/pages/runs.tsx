/** The runs page (`/`): filter, sort, columns and grouping all live in the URL, so a view is a permalink. */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiFailure } from '../api';
import { type Column, column, discoverKeys, type Keys, formatCols, parseCols, storeCols, storedCols } from '../components/runs-columns';
import { useRuns } from '../components/runs-data';
import { CaretError, RunsFilter } from '../components/runs-filter';
import { groupChoices } from '../components/runs-groups';
import { RunsPicker } from '../components/runs-picker';
import { RunsTable } from '../components/runs-table';
import { navigate } from '../router';

const MAX_COMPARE = 100;

// The benchmark reads one mark per page load, however often the page is left and come back to.
let painted = false;

/** The runs page's URL with `changes` made; null removes a parameter (`cols=` empty means no columns, so it stays). */
function hrefWith(query: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return text ? `/?${text}` : '/';
}

function countText(n: number, loading: boolean, more: boolean): string {
  if (loading && n === 0) return 'Loading runs…';
  const count = n.toLocaleString('en-US');
  return more ? `${count}+ runs loading…` : `${count} ${n === 1 ? 'run' : 'runs'}`;
}

export function RunsPage({ query }: { query: URLSearchParams }) {
  const where = query.get('where') ?? '';
  const sort = query.get('sort') ?? '';
  const group = query.get('group') ?? '';
  const cols = query.get('cols');
  const data = useRuns(where, sort);
  // A failed filter empties the table but not the picker: the keys of the last runs shown stay.
  const lastKeys = useRef<Keys | null>(null);
  const keys = useMemo(() => (data.rows.length > 0 || !lastKeys.current ? discoverKeys(data.rows) : lastKeys.current), [data.rows]);
  lastKeys.current = keys;
  const chosen = cols !== null ? parseCols(cols) : (storedCols() ?? keys.defaults);
  const columns = chosen.map(column).filter((c): c is Column => c !== null);
  // Ids in the order they were ticked: the compare page shows them so.
  const [selected, setSelected] = useState<number[]>([]);

  useLayoutEffect(() => {
    if (!painted && !data.loading) {
      painted = true;
      performance.mark('labbook:runs-painted');
    }
  }, [data.loading, data.rows]);

  const go = (changes: Record<string, string | null>, replace = false) => navigate(hrefWith(query, changes), replace);
  const setColumns = (ids: string[] | null) => {
    storeCols(ids);
    go({ cols: ids === null ? null : formatCols(ids) }, true);
  };
  const toggle = (id: number) => setSelected((old) => (old.includes(id) ? old.filter((x) => x !== id) : [...old, id]));

  const failure = data.error instanceof ApiFailure ? data.error : null;
  const filterError = failure?.code === 'INVALID_FILTER' ? failure : undefined;
  const sortError = failure && !filterError && failure.status === 400 && /\bsort\b/i.test(failure.message) ? failure : undefined;
  const otherError = data.error && !filterError && !sortError ? data.error : null;

  return (
    <section class="runs-page">
      <RunsFilter value={where} onApply={(w) => go({ where: w || null })} error={filterError} />
      {sortError && (
        <div class="sort-error">
          <CaretError expression={sort} message={sortError.message} position={sortError.position} testid="sort-error" />
          <button type="button" onClick={() => go({ sort: null })}>
            Default sort
          </button>
        </div>
      )}
      {otherError && (
        <p class="error load-error" role="alert">
          {otherError instanceof ApiFailure ? otherError.message : `Could not reach the labbook server (${otherError.message}).`}{' '}
          <button type="button" onClick={data.retry}>
            Retry
          </button>
        </p>
      )}
      <div class="runs-toolbar">
        <span class="run-count" data-testid="run-count">
          {countText(data.rows.length, data.loading, data.more)}
        </span>
        <label>
          Group by{' '}
          <select data-testid="group-by" value={group} onChange={(e) => go({ group: e.currentTarget.value || null })}>
            {groupChoices(keys.tags, group).map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <RunsPicker keys={keys} chosen={chosen} onChange={setColumns} />
        <span class="spacer" />
        {selected.length > 0 && (
          <button type="button" class="link-button" onClick={() => setSelected([])}>
            Clear selection
          </button>
        )}
        <button
          type="button"
          data-testid="compare-button"
          disabled={selected.length < 2 || selected.length > MAX_COMPARE}
          title={selected.length > MAX_COMPARE ? `Compare takes at most ${MAX_COMPARE} runs` : 'Tick 2 or more runs to compare them'}
          onClick={() => navigate(`/compare?ids=${selected.join(',')}`)}
        >
          Compare ({selected.length})
        </button>
      </div>
      {!(data.loading && data.rows.length === 0) && !(data.error && data.rows.length === 0) && (
        <RunsTable rows={data.rows} columns={columns} group={group} sort={sort} selected={selected} onSelect={toggle} onSort={(s) => go({ sort: s })} scrollKey={`${where}\n${sort}\n${group}`} />
      )}
    </section>
  );
}
