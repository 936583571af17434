/** TODO(helper): The runs table. */
export function RunsPage(_props: { query: URLSearchParams }) {
  return <p>The runs table.</p>;
}
