/** One figure as a standalone HTML page, byte-stable: the same spec always makes the same bytes. */
import type { Figure } from '../plots/figure';
import { contentHash, figureFragment, htmlDocument, type LibraryPlacement, specJson } from './plotly';
import { escapeHtml } from './table';

export interface FigurePageOptions {
  /** The page's title (default: the figure's own title, else "labbook figure"). */
  title?: string;
  /** plotly.js inline (default) or loaded from a file beside the page. */
  library?: LibraryPlacement;
}

export function figurePage(input: Figure, options: FigurePageOptions = {}): string {
  // Keys sorted: a figure read back from the registry and the one logged make the same page.
  const figure = JSON.parse(specJson(input)) as Figure;
  const title = options.title ?? figureTitle(figure);
  // The id comes from the content, never from a counter or a random draw: no state leaks into the bytes.
  const fragment = figureFragment(figure, { id: `labbook-fig-${contentHash(figure)}` });
  return htmlDocument(title, `<h3 class="lb-title">${escapeHtml(title)}</h3>\n${fragment}`, options.library);
}

export function figureTitle(figure: Figure): string {
  const title = (figure.layout as { title?: { text?: unknown } | string }).title;
  const text = typeof title === 'string' ? title : title?.text;
  return typeof text === 'string' && text !== '' ? text : 'labbook figure';
}
