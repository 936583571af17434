/** plotly.js from the installed package (never a CDN), figure fragments and standalone HTML pages. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LabbookError } from '../errors';
import type { Figure } from '../plots/figure';
import { escapeHtml, STYLE } from './table';

export interface PlotlyLibrary {
  /** The package the source was read from. */
  package: string;
  version: string;
  /** The library, made safe to place inside a <script> element. */
  source: string;
}

/** The minified build is preferred where it is installed; plotly.js-dist ships only plotly.js (~10 MB). */
const PACKAGES = ['plotly.js-dist-min', 'plotly.js-dist'];

let cached: PlotlyLibrary | undefined;

export function plotlyLibrary(): PlotlyLibrary {
  if (cached) return cached;
  for (const name of PACKAGES) {
    let main: string;
    try {
      main = require.resolve(name);
    } catch {
      continue;
    }
    const version = (require(`${name}/package.json`) as { version: string }).version;
    cached = { package: name, version, source: scriptSafe(readFileSync(main, 'utf8')) };
    return cached;
  }
  throw new LabbookError(
    'NOT_FOUND',
    `plotly.js is not installed: expected the package plotly.js-dist (or plotly.js-dist-min), received neither. Run \`npm install plotly.js-dist\`; labbook never loads it from a CDN.`,
  );
}

/** A closing script tag inside the source would end the element early; `<\/` means the same to JS. */
function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON that can sit inside a <script>: no `<` (so no `</script>` or `<!--`) and no JS line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function libraryScript(): string {
  const lib = plotlyLibrary();
  return `<script type="text/javascript">/* ${lib.package} ${lib.version}, inlined by labbook */\n${lib.source}\n</script>`;
}

/** Element ids unique across kernels and notebooks sharing one page (not Math.random: see the repro rules). */
export function figureId(): string {
  return `labbook-fig-${randomBytes(6).toString('hex')}`;
}

export interface FragmentOptions {
  id?: string;
  /** Put the whole library in this fragment (the first figure of a kernel session). */
  library?: boolean;
}

/**
 * A div and the script that plots into it. The script waits for window.Plotly: in a reopened
 * notebook outputs render in any order, and only the first figure's output carries the library.
 */
export function figureFragment(figure: Figure, options: FragmentOptions = {}): string {
  const id = options.id ?? figureId();
  const layout = figure.layout as { height?: unknown };
  const height = typeof layout.height === 'number' && layout.height > 0 ? layout.height : 450;
  const missing =
    '<p style="color:#b00;font-family:sans-serif">plotly.js is not loaded on this page: the first chart of a notebook carries it. ' +
    'Run the notebook from the top, or show(figure, {embedPlotly: true}).</p>';
  const script = `(function () {
  var spec = ${scriptJson({ data: figure.data, layout: figure.layout })};
  var config = {responsive: true, displaylogo: false};
  function draw() {
    var el = document.getElementById(${JSON.stringify(id)});
    if (!el || !window.Plotly) return false;
    window.Plotly.newPlot(el, spec.data, spec.layout, config);
    return true;
  }
  if (draw()) return;
  var tries = 0;
  var timer = setInterval(function () {
    if (draw()) { clearInterval(timer); return; }
    if (++tries >= 600) {
      clearInterval(timer);
      var el = document.getElementById(${JSON.stringify(id)});
      if (el) el.innerHTML = ${JSON.stringify(missing)};
    }
  }, 100);
})();`;
  return [
    `<div id="${escapeHtml(id)}" class="labbook-figure" style="width:100%;height:${height}px"></div>`,
    options.library ? libraryScript() : '',
    `<script type="text/javascript">\n${script}\n</script>`,
  ].join('\n');
}

/** A standalone page: plotly.js once in <head>, then the body (which may hold figure fragments). */
export function htmlDocument(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${libraryScript()}
</head>
<body>
<div class="lb" style="max-width:1200px;margin:0 auto;padding:12px">
${STYLE}
${body}
</div>
</body>
</html>
`;
}
