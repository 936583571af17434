/** The runs table, virtualized: fixed-height rows, only those in view (and a margin) exist in the DOM, whatever the run count. */
import type { ComponentChild } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatDuration, formatTime, runLabel } from '../format';
import { Link } from './link';
import { StatusBadge } from './status';
import { type Column, cellText, cellValue, sortField } from './runs-columns';
import type { Row } from './runs-data';
import { type Item, groupItems } from './runs-groups';

const ROW_HEIGHT = 24;
const OVERSCAN = 12;
const SCROLL_STEP = ROW_HEIGHT * 4;

interface Fixed {
  label: string;
  sort?: string;
  width: number;
  cell: (row: Row) => ComponentChild;
}

const FIXED: Fixed[] = [
  { label: 'id', sort: 'id', width: 56, cell: ({ run }) => run.id },
  { label: 'name', sort: 'name', width: 220, cell: ({ run }) => <Link href={`/runs/${run.id}`} title={runLabel(run)}>{runLabel(run)}</Link> },
  { label: 'experiment', sort: 'experiment', width: 150, cell: ({ run }) => run.experiment },
  { label: 'status', sort: 'status', width: 76, cell: ({ run }) => <StatusBadge status={run.status} /> },
  { label: 'started', sort: 'started_at', width: 160, cell: ({ run }) => formatTime(run.startedAt) },
  // The sort language has no duration field, so this column does not sort.
  { label: 'duration', width: 80, cell: ({ run }) => formatDuration(run.startedAt, run.endedAt) },
];
const SELECT_WIDTH = 28;
const COLUMN_WIDTH = 110;

/** The first key of a sort spec and its direction; a blank spec is the server's default, newest first. */
function currentSort(sort: string): { field: string; descending: boolean } {
  const first = (sort.trim() || '-started_at').split(',')[0].trim();
  return first.startsWith('-') ? { field: first.slice(1).trim(), descending: true } : { field: first.replace(/^\+/, '').trim(), descending: false };
}

export interface RunsTableProps {
  rows: Row[];
  columns: Column[];
  group: string;
  sort: string;
  selected: readonly number[];
  onSelect: (id: number) => void;
  onSort: (spec: string) => void;
  /** A new value (another filter or sort) scrolls back to the top. */
  scrollKey: string;
}

export function RunsTable(props: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // The scroll offset in steps of a few rows: the overscan covers a step, and scrolling within one
  // renders nothing (useState skips an unchanged number).
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(window.innerHeight);
  const onScroll = () => setTop(Math.floor(scroller.current!.scrollTop / SCROLL_STEP) * SCROLL_STEP);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setCollapsed(new Set()), [props.group]);
  const items = useMemo(() => groupItems(props.rows, props.group, collapsed), [props.rows, props.group, collapsed]);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    scroller.current!.scrollTop = 0;
  }, [props.scrollKey]);

  const sort = currentSort(props.sort);
  const clickSort = (field: string) => props.onSort(sort.field === field && !sort.descending ? `-${field}` : field);
  const template = [SELECT_WIDTH, ...FIXED.map((c) => c.width), ...props.columns.map(() => COLUMN_WIDTH)].map((w) => `${w}px`).join(' ');
  const width = SELECT_WIDTH + FIXED.reduce((sum, c) => sum + c.width, 0) + props.columns.length * COLUMN_WIDTH;
  const selected = new Set(props.selected);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);

  const toggleGroup = (key: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  const header = (label: string, field: string | undefined, kind = 'run', title = label) => {
    const active = field !== undefined && field === sort.field;
    return (
      <div
        key={title}
        role="columnheader"
        class={`cell head kind-${kind}${field ? ' sortable' : ''}${active ? ' sorted' : ''}`}
        data-sort={field}
        aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
        title={title}
        tabIndex={field ? 0 : undefined}
        onClick={field ? () => clickSort(field) : undefined}
        onKeyDown={field ? (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), clickSort(field)) : undefined}
      >
        <span class="label">{label}</span>
        {active && <span class="arrow">{sort.descending ? '▼' : '▲'}</span>}
      </div>
    );
  };

  const renderItem = (item: Item, index: number) => {
    const y = `${index * ROW_HEIGHT}px`;
    if (item.kind === 'group') {
      return (
        <div key={`group:${item.key}`} role="row" class="row group-row" data-testid="group-row" style={{ top: y }} onClick={() => toggleGroup(item.key)}>
          <button type="button" class="toggle" aria-expanded={!item.collapsed}>{item.collapsed ? '▸' : '▾'}</button>
          <span class="group-label" title={item.label}>{item.label}</span>
          <span class="group-count">{item.count.toLocaleString('en-US')}</span>
        </div>
      );
    }
    const { run } = item.row;
    return (
      <div key={run.id} role="row" class={`row${selected.has(run.id) ? ' selected' : ''}`} data-testid="run-row" data-run-id={run.id} style={{ top: y, gridTemplateColumns: template }}>
        <div role="cell" class="cell select">
          <input type="checkbox" data-testid="select-run" aria-label={`select run ${run.id}`} checked={selected.has(run.id)} onChange={() => props.onSelect(run.id)} />
        </div>
        {FIXED.map((c) => (
          <div key={c.label} role="cell" class={`cell fixed-${c.label}`}>
            {c.cell(item.row)}
          </div>
        ))}
        {props.columns.map((col) => {
          const value = cellValue(item.row, col);
          const text = cellText(value, col);
          return (
            <div key={col.id} role="cell" class={`cell${typeof value === 'number' || col.kind === 'metrics' ? ' num' : ''}`} title={text}>
              {text}
            </div>
          );
        })}
      </div>
    );
  };

  return (
    <div class="runs-scroll" data-testid="runs-table" role="table" aria-rowcount={props.rows.length} ref={scroller} onScroll={onScroll}>
      <div class="runs-grid" style={{ width: `${width}px` }}>
        <div role="row" class="row head-row" style={{ gridTemplateColumns: template }}>
          <div role="columnheader" class="cell head select" />
          {FIXED.map((c) => header(c.label, c.sort))}
          {props.columns.map((col) => header(col.key, sortField(col), col.kind, col.id))}
        </div>
        <div class="runs-body" style={{ height: `${items.length * ROW_HEIGHT}px` }}>
          {items.slice(first, last).map((item, i) => renderItem(item, first + i))}
        </div>
        {props.rows.length === 0 && <p class="empty">No runs match.</p>}
      </div>
    </div>
  );
}
