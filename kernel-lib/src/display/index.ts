/** Display: the only layer that talks to tslab, a terminal or HTML files; it renders, never computes. */
export { show, isFigure, type ShowOptions } from './show';
export { liveProgress, type LiveProgressOptions } from './live';
export { detectEnvironment, type Environment } from './sink';
export { reportHtml, type ReportInput, type ReportSection } from './report';
export { htmlDocument, figureFragment } from './plotly';
export { figurePage, type FigurePageOptions } from './figure-page';
export { escapeHtml } from './table';
export { showSweep, type ShowSweepOptions, type ShownSweep } from './sweep';
