/** A confusion matrix as an annotated heatmap: true classes down, predicted across. */
import { invalidArgument } from '../errors';
import { axis, baseLayout, type Figure } from './figure';

/** `matrix[t][p]` counts examples of true class t predicted as p (as metrics.confusionMatrix returns). */
export function confusionMatrixHeatmap(matrix: readonly (readonly number[])[], labels?: readonly (string | number)[]): Figure {
  const k = Array.isArray(matrix) ? matrix.length : 0;
  const square =
    k > 0 && matrix.every((row) => Array.isArray(row) && row.length === k && row.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0));
  if (!square) throw invalidArgument('matrix', 'a square array of non-negative counts (rows: true class, columns: predicted)', matrix);
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== k)) {
    throw invalidArgument('labels', `${k} class names, one per row of the matrix`, labels);
  }
  const names = labels === undefined ? matrix.map((_, i) => String(i)) : labels.map(String);
  if (new Set(names).size !== k) throw invalidArgument('labels', 'distinct class names', labels);
  const max = Math.max(...matrix.flat());
  const annotations = matrix.flatMap((row, t) =>
    row.map((count, p) => ({
      // Category axes place the i-th category at i, so the indices address cells exactly.
      x: p,
      y: t,
      text: String(count),
      showarrow: false,
      font: { color: max > 0 && count > max / 2 ? '#ffffff' : '#000000' },
    })),
  );
  return {
    data: [
      {
        type: 'heatmap',
        z: matrix.map((row) => [...row]),
        x: names,
        y: names,
        // plotly's Blues runs dark to light; reversed, the large counts (the diagonal) are dark.
        colorscale: 'Blues',
        reversescale: true,
        showscale: true,
        xgap: 1,
        ygap: 1,
        hovertemplate: 'true %{y}<br>predicted %{x}<br>count %{z}<extra></extra>',
      },
    ],
    layout: baseLayout('Confusion matrix', {
      height: Math.min(900, 200 + 40 * k),
      xaxis: axis('predicted', { type: 'category', side: 'bottom', automargin: true }),
      yaxis: axis('true', { type: 'category', autorange: 'reversed', automargin: true }),
      annotations,
    }),
  };
}
