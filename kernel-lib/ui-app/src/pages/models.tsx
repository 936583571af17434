/** TODO(helper): Models. */
export function ModelsPage(_props: {}) {
  return <p>Models.</p>;
}
