/**
 * A plotly.js chart. plotly (4 MB) loads once, from this server, only when a page first draws a
 * chart, so the runs table paints without it. User text (run names, keys) must go through
 * `plotText`: plotly reads a subset of HTML in strings.
 */
import { useEffect, useRef } from 'preact/hooks';

export interface PlotlyLike {
  react(el: HTMLElement, data: unknown[], layout: object, config: object): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
}

let loading: Promise<PlotlyLike> | undefined;

export function loadPlotly(): Promise<PlotlyLike> {
  loading ??= new Promise<PlotlyLike>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/plotly.min.js';
    script.onload = () => resolve((window as unknown as { Plotly: PlotlyLike }).Plotly);
    script.onerror = () => {
      loading = undefined;
      reject(new Error('Could not load /vendor/plotly.min.js from the labbook server.'));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/** Escapes the characters plotly would read as markup (`<b>`, `<a href>`, entities), so user text shows as typed. */
export function plotText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface ChartProps {
  data: unknown[];
  layout?: object;
  /** Called once plotly has drawn (the SVG or canvas exists). */
  onDrawn?: () => void;
  height?: number;
  testid?: string;
  class?: string;
}

const BASE_LAYOUT = { margin: { l: 50, r: 16, t: 28, b: 40 }, font: { size: 11 }, autosize: true, hovermode: 'closest' };
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['sendDataToCloud'] };

export function Chart(props: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cancelled = false;
    const el = ref.current!;
    loadPlotly().then(
      (Plotly) => {
        if (cancelled) return;
        return Plotly.react(el, props.data, { ...BASE_LAYOUT, height: props.height ?? 300, ...props.layout }, CONFIG).then(() => {
          if (!cancelled) props.onDrawn?.();
        });
      },
      (error: Error) => {
        el.textContent = error.message;
      },
    );
    return () => {
      cancelled = true;
    };
  }, [props.data, props.layout]);
  useEffect(() => () => void loading?.then((Plotly) => ref.current && Plotly.purge(ref.current)), []);
  return <div ref={ref} class={`chart ${props.class ?? ''}`} data-testid={props.testid} style={{ minHeight: `${props.height ?? 300}px` }} />;
}
