/** TODO(helper): Sweeps. */
export function SweepsPage(_props: {}) {
  return <p>Sweeps.</p>;
}
