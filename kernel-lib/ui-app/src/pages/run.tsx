/** TODO(helper): One run. */
export function RunPage(_props: { id: number }) {
  return <p>One run.</p>;
}
