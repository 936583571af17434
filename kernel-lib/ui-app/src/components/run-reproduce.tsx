/** The run's `reproduce` command in a code box, with a Copy button. */
import { useRef, useState } from 'preact/hooks';

export function RunReproduce({ command }: { command: string }) {
  const box = useRef<HTMLPreElement>(null);
  const [note, setNote] = useState('');
  // Without clipboard access (plain http on another host, a denied permission) the text is
  // selected instead, for the user's own Ctrl+C.
  const selectText = () => {
    const selection = window.getSelection();
    if (!box.current || !selection) return;
    selection.selectAllChildren(box.current);
    setNote('Selected: press Ctrl+C (⌘C) to copy.');
  };
  const copy = () => {
    if (!navigator.clipboard) return selectText();
    navigator.clipboard.writeText(command).then(() => setNote('Copied.'), selectText);
  };
  return (
    <div class="reproduce">
      <h2>Reproduce</h2>
      <div class="reproduce-row">
        <pre data-testid="reproduce" ref={box}>
          {command}
        </pre>
        <button type="button" onClick={copy}>
          Copy
        </button>
        <span class="muted" role="status">
          {note}
        </span>
      </div>
    </div>
  );
}
