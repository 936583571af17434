/** TODO(helper): One model. */
export function ModelPage(_props: { name: string }) {
  return <p>One model.</p>;
}
