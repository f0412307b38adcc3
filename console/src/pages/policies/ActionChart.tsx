import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../../ui/format.ts';

export interface ActionCount {
  readonly action: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Actions before and after the draft, as grouped bars (uPlot), with the same
 * numbers in a table: the chart's text alternative.
 */
export function ActionChart({ counts }: { counts: readonly ActionCount[] }) {
  const { t, i18n } = useTranslation('policies');
  const box = useRef<HTMLDivElement>(null);
  const labels = counts.map((c) => t(`common:action.${c.action}`));
  const key = JSON.stringify({
    counts,
    labels,
    before: t('chart.before'),
    after: t('chart.after'),
    lang: i18n.language,
  });
  useEffect(() => {
    const spec = JSON.parse(key) as {
      counts: ActionCount[];
      labels: string[];
      before: string;
      after: string;
      lang: string;
    };
    const { counts, labels } = spec;
    const element = box.current;
    if (!element || counts.length === 0) return;
    const width = Math.max(280, Math.min(720, element.clientWidth || 600));
    const bars = (align: -1 | 1) => uPlot.paths.bars?.({ size: [0.35, 48], align, gap: 2 });
    const before = bars(1);
    const after = bars(-1);
    const plot = new uPlot(
      {
        width,
        height: 240,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [-0.6, counts.length - 0.4] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
        },
        axes: [
          {
            values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? (labels[s] ?? '') : '')),
            splits: () => counts.map((_c, i) => i),
          },
          {
            values: (_u, splits) =>
              splits.map((s) => (Number.isInteger(s) ? formatNumber(s, spec.lang) : '')),
          },
        ],
        series: [
          {},
          {
            label: spec.before,
            fill: '#8a94a3',
            stroke: '#4f5865',
            ...(before ? { paths: before } : {}),
            points: { show: false },
          },
          {
            label: spec.after,
            fill: '#1d4e89',
            stroke: '#1d4e89',
            ...(after ? { paths: after } : {}),
            points: { show: false },
          },
        ],
      },
      [counts.map((_c, i) => i), counts.map((c) => c.before), counts.map((c) => c.after)],
      element,
    );
    return () => plot.destroy();
  }, [key]);
  return (
    <figure className="policies-chart">
      <figcaption>{t('chart.caption')}</figcaption>
      <div aria-hidden="true" className="policies-legend">
        <span className="policies-swatch policies-swatch-before" /> {t('chart.before')}
        <span className="policies-swatch policies-swatch-after" /> {t('chart.after')}
      </div>
      <div ref={box} aria-hidden="true" className="policies-chart-plot" />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t('chart.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common:common.action')}</th>
              <th scope="col" className="num">
                {t('chart.before')}
              </th>
              <th scope="col" className="num">
                {t('chart.after')}
              </th>
              <th scope="col" className="num">
                {t('chart.delta')}
              </th>
            </tr>
          </thead>
          <tbody>
            {counts.map((c, i) => (
              <tr key={c.action}>
                <th scope="row">{labels[i]}</th>
                <td className="num">{formatNumber(c.before, i18n.language)}</td>
                <td className="num">{formatNumber(c.after, i18n.language)}</td>
                <td className="num">
                  {c.after - c.before > 0 ? '+' : ''}
                  {formatNumber(c.after - c.before, i18n.language)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
