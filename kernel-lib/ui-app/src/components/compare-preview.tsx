/**
 * A chart's curves drawn on a canvas the moment the data arrives, while plotly (4.8 MB, and ~1 s
 * for 100 traces) loads and draws the interactive chart over it. 100 runs x 5 metrics draw in a
 * few milliseconds this way, with no element per curve; zoom and hover arrive with plotly.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import { formatNumber } from '../format';

interface Trace {
  x: number[];
  y: (number | null)[];
  line?: { color?: string };
  opacity?: number;
}

const H = 260;
const PAD = { l: 50, r: 12, t: 30, b: 36 };

/** The lowest and highest finite value of `lists`; a range around a constant; [0, 1] for none. */
function extent(lists: Iterable<readonly (number | null)[]>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of lists) {
    for (const v of list) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function draw(canvas: HTMLCanvasElement, traces: Trace[], title: string, xTitle: string): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const width = canvas.clientWidth || 600;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(H * ratio);
  ctx.scale(ratio, ratio);
  const style = getComputedStyle(canvas);
  const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;

  const [x0, x1] = extent(traces.map((t) => [t.x[0] ?? null, t.x[t.x.length - 1] ?? null]));
  const [y0, y1] = extent(traces.map((t) => t.y));
  const sx = (v: number) => PAD.l + ((v - x0) / (x1 - x0)) * (width - PAD.l - PAD.r);
  const sy = (v: number) => H - PAD.b - ((v - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);

  ctx.strokeStyle = color('--line', '#ddd');
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(PAD.l, PAD.t);
  ctx.lineTo(PAD.l, H - PAD.b);
  ctx.lineTo(width - PAD.r, H - PAD.b);
  ctx.stroke();

  ctx.fillStyle = color('--fg', '#222');
  ctx.font = '12px sans-serif';
  ctx.textAlign = 'center';
  ctx.fillText(title, width / 2, 18);
  ctx.fillStyle = color('--muted', '#666');
  ctx.font = '11px sans-serif';
  ctx.fillText(xTitle, width / 2, H - 6);
  ctx.fillText(formatNumber(x0), PAD.l, H - PAD.b + 14);
  ctx.textAlign = 'end';
  ctx.fillText(formatNumber(x1), width - PAD.r, H - PAD.b + 14);
  ctx.fillText(formatNumber(y1), PAD.l - 4, PAD.t + 4);
  ctx.fillText(formatNumber(y0), PAD.l - 4, H - PAD.b);

  // One device pixel wide: Skia draws that as a hairline. 100 runs x 5 charts paint ~200 ms sooner than at 1.5 (software raster).
  ctx.lineWidth = 1 / ratio;
  for (const trace of traces) {
    ctx.strokeStyle = trace.line?.color ?? '#888';
    ctx.globalAlpha = trace.opacity ?? 1;
    ctx.beginPath();
    // A null (NaN logged) breaks the line, as plotly draws it; a lone point shows as a dot.
    let pen = false;
    for (let i = 0; i < trace.x.length; i++) {
      const y = trace.y[i];
      if (y === null || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(sx(trace.x[i]), sy(y));
      else ctx.moveTo(sx(trace.x[i]), sy(y));
      pen = true;
    }
    if (trace.x.length === 1 && trace.y[0] !== null) {
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillRect(sx(trace.x[0]) - 2, sy(trace.y[0]) - 2, 4, 4);
    }
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

export function CurvePreview(props: { title: string; data: unknown[]; xTitle: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // Drawn before the browser paints the frame that shows the canvas: never an empty box first.
  useLayoutEffect(() => {
    if (canvas.current !== null) draw(canvas.current, props.data as Trace[], props.title, props.xTitle);
  }, [props.data, props.title, props.xTitle]);
  return <canvas ref={canvas} class="curve-preview" role="img" aria-label={props.title} />;
}
