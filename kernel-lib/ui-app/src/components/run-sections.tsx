/** The run page's record: config, params, metrics, tags, environment, datasets, provenance and checkpoints, as text-only tables. */
import type { ComponentChildren } from 'preact';
import type { Json, RunDetail } from '../api';
import { formatBytes, formatNumber, formatTime, formatValue, flatten } from '../format';

export function Panel(props: { title: string; testid?: string; wide?: boolean; children: ComponentChildren }) {
  return (
    <section class={`panel${props.wide ? ' wide' : ''}`} data-testid={props.testid}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A value as text: nested objects and arrays as indented JSON in a scrolling block. */
function Value({ value }: { value: Json | undefined }) {
  if (value !== null && typeof value === 'object' && JSON.stringify(value).length > 60) return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  return <>{formatValue(value)}</>;
}

export function KeyValues({ entries, mono }: { entries: [string, Json | undefined][]; mono?: boolean }) {
  if (entries.length === 0) return <p class="muted">none</p>;
  return (
    <table class={`kv${mono ? ' mono-values' : ''}`}>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th>{key}</th>
            <td class={typeof value === 'number' ? 'num' : undefined}>
              <Value value={value} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table with a header row; cells are text (or elements built from text). */
function Table(props: { head: string[]; rows: ComponentChildren[][]; numeric?: number[] }) {
  if (props.rows.length === 0) return <p class="muted">none</p>;
  return (
    <table class="grid">
      <thead>
        <tr>
          {props.head.map((h) => (
            <th key={h} class={props.numeric?.includes(props.head.indexOf(h)) ? 'num' : undefined}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((cells, i) => (
          <tr key={i}>
            {cells.map((cell, j) => (
              <td key={j} class={props.numeric?.includes(j) ? 'num' : undefined}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const hash = (sha: string | null | undefined) => (sha ? <code class="hash">{sha}</code> : '–');
const sorted = <T,>(object: { [key: string]: T }) => Object.entries(object).sort(([a], [b]) => a.localeCompare(b));

export function RunSections({ run }: { run: RunDetail }) {
  const { notebook } = run.provenance;
  return (
    <div class="panels">
      <Panel title="Config" testid="run-config">
        <KeyValues entries={sorted(flatten(run.config))} />
      </Panel>
      <Panel title="Params">
        <KeyValues entries={sorted(run.params)} />
      </Panel>
      <Panel title="Metrics" testid="run-metrics" wide>
        <Table
          head={['key', 'latest', 'step', 'min', 'max', 'count']}
          numeric={[1, 2, 3, 4, 5]}
          rows={sorted(run.metrics).map(([key, m]) => [key, m.value === null ? 'NaN' : formatNumber(m.value), m.step, formatNumber(m.min), formatNumber(m.max), m.count])}
        />
      </Panel>
      <Panel title="Tags">
        <KeyValues entries={sorted(run.tags)} />
      </Panel>
      <Panel title="Provenance" testid="run-provenance">
        <KeyValues
          mono
          entries={[
            ['notebook', notebook ? (notebook.path ?? '(unsaved)') : 'none'],
            ...(notebook ? ([['notebook cells sha256', notebook.cellsSha256]] as [string, Json][]) : []),
            ...(notebook?.executed ? ([['executed cells', notebook.executed]] as [string, Json][]) : []),
            ['git', run.provenance.git],
            ['code hash', run.provenance.codeHash],
            ['config hash', run.provenance.configHash],
            ['lockfile sha256', run.provenance.lockfileSha256],
          ]}
        />
      </Panel>
      <Panel title="Datasets" wide>
        <Table
          head={['name', 'sha256', 'rows', 'columns', 'source']}
          numeric={[2, 3]}
          rows={run.datasets.map((d) => [
            <span title={d.schema?.map((c) => `${c.name}: ${c.dtype}`).join('\n')}>{d.name}</span>,
            hash(d.sha256),
            d.rows.toLocaleString('en-US'),
            d.columns,
            d.source ?? '–',
          ])}
        />
      </Panel>
      <Panel title="Checkpoints" wide>
        <Table head={['step', 'bytes', 'sha256', 'saved']} numeric={[0, 1]} rows={run.checkpoints.map((c) => [c.step, formatBytes(c.bytes), hash(c.sha256), formatTime(c.createdAt)])} />
      </Panel>
      <Panel title="Environment" wide>
        <KeyValues entries={sorted(run.env)} />
      </Panel>
    </div>
  );
}
