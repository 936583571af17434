/** The filter box for the `where` language, and the positioned error (message and a caret under the column) of a filter or sort. */
import { useEffect, useState } from 'preact/hooks';

/**
 * The expression the server read, with a caret under the 1-based `position`. The caret line repeats
 * the text before it invisibly rather than counting spaces, so tabs, wide and astral characters
 * keep it aligned in any font.
 */
export function CaretError(props: { expression: string; message: string; position?: number; testid?: string }) {
  const at = props.position !== undefined && props.position >= 1 ? Math.min(props.position, props.expression.length + 1) : undefined;
  return (
    <div class="caret-error error" data-testid={props.testid} role="alert">
      {at !== undefined && (
        <pre class="caret-view">
          {props.expression}
          {'\n'}
          <span class="caret-pad">{props.expression.slice(0, at - 1)}</span>
          <span class="caret">^</span>
        </pre>
      )}
      <div class="caret-message">{props.message}</div>
    </div>
  );
}

export interface FilterProps {
  /** The applied filter (the URL's `where`). */
  value: string;
  onApply: (where: string) => void;
  error?: { message: string; position?: number };
}

export function RunsFilter(props: FilterProps) {
  const [text, setText] = useState(props.value);
  // Back and forward change the applied filter; what is typed follows. A failed filter stays as typed.
  useEffect(() => setText(props.value), [props.value]);
  const clear = () => {
    setText('');
    props.onApply('');
  };
  return (
    <div class="runs-filter">
      <form
        class="filter-row"
        onSubmit={(e) => {
          e.preventDefault();
          props.onApply(text.trim());
        }}
      >
        <input
          type="text"
          data-testid="filter"
          aria-label="Filter runs"
          placeholder="config.learningRate < 0.01 AND metrics.loss.min < 0.5"
          spellcheck={false}
          autocomplete="off"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Escape' && clear()}
        />
        <button type="submit">Filter</button>
        <button type="button" onClick={clear} disabled={text === '' && props.value === ''} title="Show every run (Escape)">
          Clear
        </button>
      </form>
      {props.error && <CaretError expression={props.value} message={props.error.message} position={props.error.position} testid="filter-error" />}
    </div>
  );
}
