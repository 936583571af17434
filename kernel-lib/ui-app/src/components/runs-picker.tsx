/** The column picker: a searchable checklist of the config, metric and tag keys of the loaded runs. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ColumnKind, column, type Keys } from './runs-columns';

const SECTIONS: { kind: ColumnKind; title: string }[] = [
  { kind: 'config', title: 'Config' },
  { kind: 'metrics', title: 'Metrics' },
  { kind: 'tags', title: 'Tags' },
];

export interface PickerProps {
  keys: Keys;
  chosen: readonly string[];
  /** The new choice; null goes back to the default. */
  onChange: (ids: string[] | null) => void;
}

export function RunsPicker(props: PickerProps) {
  const [search, setSearch] = useState('');
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    // A click elsewhere or Escape closes it, as a menu would.
    const close = (e: Event) => {
      const el = ref.current;
      if (el?.open && (e instanceof KeyboardEvent ? e.key === 'Escape' : !el.contains(e.target as Node))) el.open = false;
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, []);

  const chosen = new Set(props.chosen);
  const needle = search.trim().toLowerCase();
  const toggle = (id: string) => props.onChange(chosen.has(id) ? props.chosen.filter((c) => c !== id) : [...props.chosen, id]);

  return (
    <details class="picker" data-testid="column-picker" ref={ref}>
      <summary>Columns ({props.chosen.length})</summary>
      <div class="picker-panel">
        <div class="picker-top">
          <input type="search" placeholder="Search keys" aria-label="Search keys" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          <button type="button" onClick={() => props.onChange(null)} title="Every metric and the config keys that vary">
            Default
          </button>
          <button type="button" onClick={() => props.onChange([])}>
            None
          </button>
        </div>
        {SECTIONS.map(({ kind, title }) => {
          // A chosen key no loaded run has (from a permalink) is still listed, to be unticked.
          const missing = props.chosen.map(column).filter((c) => c?.kind === kind && !props.keys[kind].includes(c.key)).map((c) => c!.key);
          const keys = [...props.keys[kind], ...missing].filter((key) => key.toLowerCase().includes(needle));
          return (
            <fieldset key={kind} class={`picker-section kind-${kind}`}>
              <legend>
                {title} <span class="muted">{keys.length}</span>
              </legend>
              {keys.length === 0 && <span class="muted">none</span>}
              {keys.map((key) => {
                const id = `${kind}.${key}`;
                return (
                  <label key={id} title={id}>
                    <input type="checkbox" data-column={id} checked={chosen.has(id)} onChange={() => toggle(id)} />
                    {key}
                  </label>
                );
              })}
            </fieldset>
          );
        })}
      </div>
    </details>
  );
}
