// A chart.js chart created once and updated in place (no re-creation, no animation), loaded on first use, with its data as a table for screen readers.
import type * as ChartJsModule from 'chart.js';
import type { Chart as ChartJs, ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

export interface Series {
  /** Identifies the series across updates (a baseline id); defaults to the label. A series keeps its line when others come or go. */
  key?: string;
  label: string;
  data: (number | null)[];
  color: string;
}

export interface ChartProps {
  kind: 'line' | 'bar';
  labels: string[];
  series: Series[];
  stacked?: boolean;
  horizontal?: boolean;
  /** What the chart shows, for screen readers. */
  label: string;
  /** Caption of the screen-reader table of the data. */
  tableLabel?: string;
  yMax?: number;
  height?: number;
}

let chartModule: Promise<typeof ChartJsModule> | null = null;

/** chart.js with only the pieces these charts use (keeps the lazy chunk small). */
function loadChartJs() {
  chartModule ??= import('chart.js').then((module) => {
    const { Chart, BarController, BarElement, CategoryScale, Filler, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } = module;
    Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip);
    return module;
  });
  return chartModule;
}

function textColor(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--text-muted').trim() || '#555';
}

const seriesKey = (series: Series) => series.key ?? series.label;

function datasets(props: ChartProps) {
  return props.series.map((series) => ({
    key: seriesKey(series),
    label: series.label,
    data: series.data,
    backgroundColor: series.color,
    borderColor: series.color,
    borderWidth: props.kind === 'line' ? 2 : 0,
    pointRadius: props.kind === 'line' ? 2 : 0,
    tension: 0.2,
  }));
}

export function Chart(props: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<ChartJs | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let cancelled = false;
    void loadChartJs().then(({ Chart: ChartClass }) => {
      if (cancelled || !canvas.current) return;
      const current = latest.current;
      const color = textColor();
      const config: ChartConfiguration = {
        type: current.kind,
        data: { labels: current.labels, datasets: datasets(current) },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: current.horizontal ? 'y' : 'x',
          plugins: { legend: { labels: { color, boxWidth: 12 } } },
          scales: {
            x: { stacked: current.stacked ?? false, ticks: { color, maxRotation: 0, autoSkip: true } },
            y: { stacked: current.stacked ?? false, beginAtZero: true, ticks: { color, precision: 0 }, ...(current.yMax !== undefined ? { max: current.yMax } : {}) },
          },
        },
      };
      chart.current = new ChartClass(canvas.current, config);
    });
    // Axis and legend text follow the light/dark switch without re-creating the chart.
    const themeWatch = new MutationObserver(() => {
      const instance = chart.current;
      if (!instance) return;
      const color = textColor();
      const options = instance.options as { plugins?: { legend?: { labels?: { color?: string } } }; scales?: Record<string, { ticks?: { color?: string } }> };
      if (options.plugins?.legend?.labels) options.plugins.legend.labels.color = color;
      for (const scale of Object.values(options.scales ?? {})) if (scale.ticks) scale.ticks.color = color;
      instance.update('none');
    });
    themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      themeWatch.disconnect();
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, [props.kind, props.horizontal, props.stacked]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    instance.data.labels = props.labels;
    // A series keeps its dataset object (matched by key, not position), so chart.js moves its points
    // instead of redrawing it, even when a series before it appears or goes away.
    const existing = new Map(instance.data.datasets.map((dataset) => [(dataset as { key?: string }).key, dataset]));
    instance.data.datasets = datasets(props).map((dataset) => {
      const kept = existing.get(dataset.key);
      return kept ? Object.assign(kept, dataset) : dataset;
    });
    instance.update('none');
  }, [props.labels, props.series]);

  return (
    <div class="chart" style={{ height: `${props.height ?? 220}px` }}>
      <canvas ref={canvas} role="img" aria-label={props.label} />
      <table class="visually-hidden chart-data">
        <caption>{props.tableLabel ?? props.label}</caption>
        <thead>
          <tr>
            <th scope="col" />
            {props.labels.map((label, index) => (
              <th scope="col" key={index}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.series.map((series) => (
            <tr key={seriesKey(series)} data-series={seriesKey(series)}>
              <th scope="row">{series.label}</th>
              {series.data.map((value, index) => (
                <td key={index}>{value ?? '—'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
