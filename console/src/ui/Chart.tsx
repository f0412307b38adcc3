import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './chart.css';

/**
 * A small React wrapper around uPlot (C4): lines over time, stacked bars
 * (one segment per series) and grouped bars (side by side). The plot is made
 * on mount, fed new numbers with `setData`, fitted to its container's width by
 * a ResizeObserver and destroyed on unmount.
 *
 * A chart is never the only way to read the numbers: the canvas is an image
 * with an accessible name, the legend is text, and a collapsible table below it
 * holds every number the chart draws.
 */

export interface ChartSeries {
  /** The series' name, as the legend and the table's column header show it. */
  readonly label: string;
  /** A colour with ≥ 3:1 contrast on white (see {@link ACTION_COLORS}). */
  readonly color: string;
  /** One value per x (null: no value). */
  readonly values: readonly (number | null)[];
}

export type ChartKind = 'line' | 'stacked' | 'bars';

export interface ChartProps {
  /** line: one line per series; stacked: bars stacked; bars: bars side by side. */
  readonly kind: ChartKind;
  /** Unix seconds when `time` (the default); else category indexes 0, 1, 2… */
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** The chart's accessible name (what it shows, in a sentence). */
  readonly label: string;
  /** Header of the x column of the table (e.g. 時刻 / hour). */
  readonly xHeader: string;
  /** An x as the table writes it (a time, a category's name). */
  readonly formatX: (x: number) => string;
  /** An x as the axis writes it (default: formatX). */
  readonly formatTick?: (x: number) => string;
  /** A value as the axis, the read-out and the table write it. */
  readonly formatY?: (y: number) => string;
  /** x is a time in unix seconds (default) or a category index. */
  readonly time?: boolean;
  /** Plot height in CSS pixels (default 240). */
  readonly height?: number;
  /** The table's disclosure label (default: the catalogue's "show the numbers as a table"). */
  readonly tableSummary?: string;
  /** A total column in the table (its header), e.g. for stacked bars. */
  readonly totalHeader?: string;
  readonly testId?: string;
}

/**
 * Verdict colours, the action badges' hues (styles.css): allow green, warn and
 * step_up amber, review and hold blue, block and freeze red — each ≥ 3:1 on white.
 */
export const ACTION_COLORS: Readonly<Record<string, string>> = {
  allow: '#1b6e3a',
  warn: '#b07800',
  step_up: '#7a4f00',
  review: '#4a7fc1',
  hold: '#1d4e89',
  block: '#a4161a',
  freeze: '#5c0b0e',
};

/** Colours for series that are not actions (channels, before/after…). */
export const SERIES_COLORS: readonly string[] = [
  '#1d4e89',
  '#b35c00',
  '#1b6e3a',
  '#7b3fa0',
  '#a4161a',
  '#4f5865',
  '#00758f',
];

export function actionColor(action: string): string {
  return ACTION_COLORS[action] ?? '#4f5865';
}

const COUNT_INCRS = [
  1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 25_000, 50_000,
  100_000, 200_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
];

/** Sum of the shown series 0..upto at each x (the top of series `upto`'s segment). */
function stackTop(u: uPlot, upto: number): number[] {
  const n = u.data[0].length;
  const out = new Array<number>(n).fill(0);
  for (let s = 1; s <= upto; s++) {
    if (!u.series[s]?.show) continue;
    const ys = u.data[s] as (number | null | undefined)[];
    for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) + (ys[i] ?? 0);
  }
  return out;
}

/** Smallest step between two xs (1 when there is one x or none). */
function xStep(xs: ArrayLike<number>): number {
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < xs.length; i++) {
    const d = (xs[i] ?? 0) - (xs[i - 1] ?? 0);
    if (d > 0 && d < step) step = d;
  }
  return Number.isFinite(step) ? step : 1;
}

function seriesPaths(kind: ChartKind, index: number, count: number): uPlot.Series.PathBuilder | undefined {
  const bars = uPlot.paths.bars;
  if (!bars) return undefined;
  if (kind === 'stacked') {
    return bars({
      size: [0.8, 48, 1],
      disp: {
        y0: { unit: 1, values: (u, s) => (s > 1 ? stackTop(u, s - 1) : new Array(u.data[0].length).fill(0)) },
        y1: { unit: 1, values: (u, s) => stackTop(u, s) },
      },
    });
  }
  if (kind === 'bars') {
    const group = 0.8;
    const width = group / Math.max(1, count);
    return bars({
      disp: {
        x0: {
          unit: 1,
          values: (u) => {
            const xs = u.data[0];
            const step = xStep(xs);
            return Array.from(xs, (x) => x - (group / 2) * step + index * width * step);
          },
        },
        size: { unit: 1, values: (u) => [width * xStep(u.data[0])] },
      },
    });
  }
  return undefined;
}

function buildOptions(
  latest: { readonly current: ChartProps },
  width: number,
  onCursor: (index: number | null) => void,
): uPlot.Options {
  const props = latest.current;
  const { kind, series, height = 240 } = props;
  const time = props.time ?? true;
  // Formatters are read when drawn: a language switch needs no new plot.
  const tick = (x: number) => (latest.current.formatTick ?? latest.current.formatX)(x);
  const formatY = (y: number) => (latest.current.formatY ? latest.current.formatY(y) : String(y));
  const n = props.x.length;
  const barLike = kind !== 'line';
  return {
    width,
    height,
    legend: { show: false },
    cursor: {
      drag: { x: false, y: false },
      points: { show: kind === 'line' },
    },
    scales: {
      x: {
        time,
        // Bars sit inside the axis: half a step of room on each side.
        ...(barLike
          ? {
              range: (u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
                const step = xStep(u.data[0]);
                return [min - step / 2, max + step / 2];
              },
            }
          : {}),
      },
      y: {
        range: (u: uPlot, _min: number, max: number): uPlot.Range.MinMax => {
          let top = max;
          if (kind === 'stacked') top = Math.max(0, ...stackTop(u, u.series.length - 1));
          return [0, top > 0 ? top * 1.1 : 1];
        },
      },
    },
    axes: [
      {
        stroke: '#4f5865',
        grid: { show: false },
        ticks: { stroke: '#c9cfd8' },
        values: (_u, splits) => splits.map((x) => (x === null ? '' : tick(x))),
        ...(time ? {} : { splits: () => Array.from({ length: n }, (_, i) => i) }),
      },
      {
        stroke: '#4f5865',
        grid: { stroke: '#e3e7ed' },
        ticks: { stroke: '#c9cfd8' },
        incrs: COUNT_INCRS,
        size: 52,
        values: (_u, splits) => splits.map((y) => formatY(y)),
      },
    ],
    series: [
      {},
      ...series.map((s, index): uPlot.Series => {
        const paths = seriesPaths(kind, index, series.length);
        return {
          label: s.label,
          stroke: s.color,
          width: barLike ? 0 : 2,
          ...(barLike ? { fill: s.color } : {}),
          ...(paths ? { paths } : {}),
          points: { show: kind === 'line' && n <= 60, size: 5, fill: s.color },
        };
      }),
    ],
    hooks: {
      setCursor: [(u) => onCursor(u.cursor.idx ?? null)],
    },
  };
}

function toData(x: readonly number[], series: readonly ChartSeries[]): uPlot.AlignedData {
  return [Array.from(x), ...series.map((s) => Array.from(s.values, (v) => v ?? null))] as uPlot.AlignedData;
}

/** The plot's shape (anything but the numbers): a change makes a new plot. */
function shapeOf(props: ChartProps): string {
  return JSON.stringify([
    props.kind,
    props.time ?? true,
    props.height ?? 240,
    props.series.map((s) => [s.label, s.color]),
  ]);
}

export function Chart(props: ChartProps) {
  const { t } = useTranslation();
  const { x, series, label, xHeader, formatX, formatY, totalHeader, testId } = props;
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [cursor, setCursor] = useState<number | null>(null);
  const shape = shapeOf(props);
  const format = (v: number | null | undefined) => (v == null ? '—' : formatY ? formatY(v) : String(v));

  // Made when the shape changes (and on mount), destroyed before the next one and on unmount.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` stands for the options; the numbers go in by setData below.
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const current = latest.current;
    const u = new uPlot(
      buildOptions(latest, Math.max(200, element.clientWidth), setCursor),
      toData(current.x, current.series),
      element,
    );
    plot.current = u;
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== u.width) u.setSize({ width, height: current.height ?? 240 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(toData(x, series));
  }, [x, series]);

  const totals = useMemo(
    () => x.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)),
    [x, series],
  );
  const at = cursor !== null && cursor < x.length ? cursor : null;

  return (
    <figure className="chart" data-testid={testId}>
      <div ref={holder} className="chart-plot" role="img" aria-label={label} />
      <figcaption className="chart-legend">
        <ul>
          {series.map((s, i) => (
            <li key={s.label}>
              <span className="chart-swatch" style={{ backgroundColor: s.color }} aria-hidden="true" />
              {s.label}
              {at !== null ? <span className="chart-value">{format(series[i]?.values[at])}</span> : null}
            </li>
          ))}
        </ul>
        {at !== null ? (
          <span className="chart-at" aria-hidden="true">
            {formatX(x[at] ?? 0)}
          </span>
        ) : null}
      </figcaption>
      <details className="chart-table">
        <summary>{props.tableSummary ?? t('chart.showTable')}</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{label}</caption>
            <thead>
              <tr>
                <th scope="col">{xHeader}</th>
                {series.map((s) => (
                  <th scope="col" className="num" key={s.label}>
                    {s.label}
                  </th>
                ))}
                {totalHeader ? (
                  <th scope="col" className="num">
                    {totalHeader}
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {x.map((value, i) => (
                <tr key={value}>
                  <th scope="row">{formatX(value)}</th>
                  {series.map((s) => (
                    <td className="num" key={s.label}>
                      {format(s.values[i])}
                    </td>
                  ))}
                  {totalHeader ? <td className="num">{format(totals[i])}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
