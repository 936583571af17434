/** Which metrics share a learning-curve panel: `x` with `val_x`, one panel per base metric (shared by plots and the live display). */

export interface MetricPanel {
  /** `x` when the panel draws the training curve, else the one `val_x` it draws. */
  title: string;
  /** The keys drawn, training before validation. */
  keys: string[];
}

/** `val_x` names the validation twin of `x`; a bare `val_` is a metric of its own. */
export function baseMetric(key: string): string {
  return key.startsWith('val_') && key.length > 4 ? key.slice(4) : key;
}

/**
 * Panels for `requested`, in the order each base metric is first asked: `x` asks for x and
 * val_x, `val_x` for val_x alone, and asking for both (`['loss', 'val_loss']`) is one panel,
 * never a second panel repeating val_loss. Keys `has` rejects are left out, and so is a panel
 * left empty. Keras users plot `loss` and `val_loss` together; a panel each would halve the
 * comparison the curves exist for.
 */
export function metricPanels(requested: readonly string[], has: (key: string) => boolean): MetricPanel[] {
  const wanted = new Map<string, Set<string>>();
  for (const name of requested) {
    const base = baseMetric(name);
    const keys = wanted.get(base) ?? new Set<string>();
    wanted.set(base, keys);
    if (base === name) keys.add(name).add(`val_${name}`);
    else keys.add(name);
  }
  const panels: MetricPanel[] = [];
  for (const [base, asked] of wanted) {
    const keys = [base, `val_${base}`].filter((k) => asked.has(k) && has(k));
    if (keys.length === 0) continue;
    panels.push({ title: keys.includes(base) ? base : keys[0], keys });
  }
  return panels;
}
