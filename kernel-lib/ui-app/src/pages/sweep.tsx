/** TODO(helper): One sweep. */
export function SweepPage(_props: { id: number }) {
  return <p>One sweep.</p>;
}
