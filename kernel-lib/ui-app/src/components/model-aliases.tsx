/** A model's aliases as badges, alias → version (prod → v3), for the models table and a model's page. */
export function AliasBadges(props: { aliases: { [alias: string]: number } }) {
  const names = Object.keys(props.aliases).sort();
  if (names.length === 0) return <span class="muted">–</span>;
  return (
    <span class="badges">
      {names.map((alias) => (
        <span key={alias} class="badge alias" title={`${alias} points to version ${props.aliases[alias]}`}>
          {alias} → v{props.aliases[alias]}
        </span>
      ))}
    </span>
  );
}
