/** The exported topology: tfjs's own JSON with labbook's classes that have a stock equivalent at inference renamed to it. */

/**
 * Stock tfjs cannot deserialize a class it has not registered. Two of labbook's classes only
 * matter while training and have a stock twin with the same config keys: SeededDropout is
 * Dropout (identity at inference; the seed governs training masks), and the orthogonal
 * initializer is tfjs's Orthogonal (an initializer's draws are overwritten by the loaded weights).
 * The rest (the transformer's embedding, positional encoding, attention, layer norm, masks and
 * pooling) compute something stock tfjs has no class for, so they stay and are listed.
 */
const STOCK_TWIN: Record<string, string> = {
  LabbookSeededDropout: 'Dropout',
  LabbookOrthogonal: 'Orthogonal',
};

export function stockTopology(topology: { [key: string]: unknown }): { topology: { [key: string]: unknown }; requires: string[] } {
  const requires = new Set<string>();
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v);
    const name = out.class_name;
    if (typeof name === 'string' && name.startsWith('Labbook')) {
      if (STOCK_TWIN[name]) out.class_name = STOCK_TWIN[name];
      else requires.add(name);
    }
    return out;
  };
  return { topology: walk(topology) as { [key: string]: unknown }, requires: [...requires].sort() };
}
