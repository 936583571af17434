/** TODO(helper): Compare runs. */
export function ComparePage(_props: { query: URLSearchParams }) {
  return <p>Compare runs.</p>;
}
