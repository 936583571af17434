/** plotly.js from the installed package (never a CDN), figure fragments and standalone HTML pages. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabbookError } from '../errors';
import { canonicalJson } from '../repro/hash';
import type { Figure } from '../plots/figure';
import { staticSize, staticSvg } from './static';
import { titleText } from './static/svg';
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

/**
 * Element ids from the figure's content, so the same figure renders to the same bytes (a figure file
 * or a notebook output is stable across re-runs). Showing the same figure again in one session
 * (one page) gets a numbered id, since two elements may not share one.
 */
const SHOWN = Symbol.for('labbook.display.figureIds');

export function figureId(figure: Figure): string {
  // Per process (one kernel session), through globalThis so two copies of labbook agree.
  const state = globalThis as { [SHOWN]?: Map<string, number> };
  const shown = (state[SHOWN] ??= new Map());
  const base = `labbook-fig-${contentHash(figure)}`;
  const seen = (shown.get(base) ?? 0) + 1;
  shown.set(base, seen);
  return seen === 1 ? base : `${base}-${seen}`;
}

/** A short hash of the spec, key order aside (the same figure built another way hashes the same). */
export function contentHash(figure: Figure): string {
  return createHash('sha256').update(specJson(figure)).digest('hex').slice(0, 16);
}

/** The spec as canonical JSON (keys sorted); a spec JSON cannot hold canonically (NaN) as JSON.stringify has it. */
export function specJson(figure: Figure): string {
  const spec = { data: figure.data, layout: figure.layout };
  try {
    return canonicalJson(spec, 'figure');
  } catch {
    return JSON.stringify(spec);
  }
}

export interface FragmentOptions {
  id?: string;
  /** Put the whole library in this fragment (the first figure of a kernel session). */
  library?: boolean;
  /** The static SVG shown until the script runs, when the caller has already drawn it. */
  svg?: string;
}

/**
 * The figure's static SVG as an <img> with a data URI: the chart a reader sees where scripts never
 * run. An <img>, not inline <svg>: classic Jupyter's sanitizer and GitHub strip inline SVG but keep
 * a data-URI image; its size is in attributes, so it keeps its shape with every style stripped.
 */
export function staticImage(figure: Figure, svg = staticSvg(figure)): string {
  const { width, height } = staticSize(figure);
  const title = titleText((figure.layout as { title?: unknown }).title) || 'labbook figure';
  const alt = `${title} (static image; the interactive chart needs JavaScript)`;
  return `<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" alt="${escapeHtml(alt)}" width="${width}" height="${height}" style="max-width:100%;height:auto">`;
}

/**
 * A div holding the static image, and the script that replaces it with the interactive chart.
 * The script waits for window.Plotly: in a reopened notebook outputs render in any order, and
 * only the first figure's output carries the library.
 */
export function figureFragment(figure: Figure, options: FragmentOptions = {}): string {
  const id = options.id ?? figureId(figure);
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
    el.innerHTML = '';
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
      if (el) el.innerHTML = ${JSON.stringify(missing)} + el.innerHTML;
    }
  }, 100);
})();`;
  return [
    `<div id="${escapeHtml(id)}" class="labbook-figure" style="width:100%;height:${height}px">${staticImage(figure, options.svg)}</div>`,
    options.library ? libraryScript() : '',
    `<script type="text/javascript">\n${script}\n</script>`,
  ].join('\n');
}

/**
 * How a page gets plotly.js: inline (one self-contained file, ~10 MB) or a `<script src>` to a file
 * beside it (see writeLibraryBeside), so many pages in one folder share one copy.
 */
export type LibraryPlacement = 'inline' | { src: string };

/** A standalone page: plotly.js once in <head>, then the body (which may hold figure fragments). */
export function htmlDocument(title: string, body: string, library: LibraryPlacement = 'inline'): string {
  const script = library === 'inline' ? libraryScript() : `<script type="text/javascript" src="${escapeHtml(library.src)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${script}
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

/** The library's file name beside a page: versioned, so pages made by different versions can share a folder. */
export function libraryFileName(): string {
  const lib = plotlyLibrary();
  return `plotly-${lib.version}${lib.package.endsWith('-min') ? '.min' : ''}.js`;
}

/** Writes plotly.js next to `page` unless an identical copy is already there; returns the name to load it by. */
export function writeLibraryBeside(page: string): string {
  const name = libraryFileName();
  const target = join(dirname(page), name);
  const source = plotlyLibrary().source;
  const present = existsSync(target) && statSync(target).size === Buffer.byteLength(source) && readFileSync(target, 'utf8') === source;
  if (!present) writeFileSync(target, source);
  return name;
}
