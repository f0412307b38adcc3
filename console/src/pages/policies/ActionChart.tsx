import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Chart, type ChartSeries, SERIES_COLORS } from '../../ui/Chart.tsx';
import { formatNumber } from '../../ui/format.ts';

export interface ActionCount {
  readonly action: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Every decision the dry-run checked, by action as recorded and under the
 * draft: grouped bars through the shared chart, whose table holds the numbers.
 */
export function ActionChart({ counts }: { counts: readonly ActionCount[] }) {
  const { t, i18n } = useTranslation('policies');
  const x = useMemo(() => counts.map((_c, i) => i), [counts]);
  const before = t('chart.before');
  const after = t('chart.after');
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: before, color: SERIES_COLORS[5] ?? '#4f5865', values: counts.map((c) => c.before) },
      { label: after, color: SERIES_COLORS[0] ?? '#1d4e89', values: counts.map((c) => c.after) },
    ],
    [counts, before, after],
  );
  const label = (i: number) => {
    const action = counts[i]?.action;
    return action ? t(`common:action.${action}`) : '';
  };
  return (
    <div className="policies-chart">
      <Chart
        kind="bars"
        time={false}
        x={x}
        series={series}
        label={t('chart.label')}
        xHeader={t('common:common.action')}
        formatX={label}
        formatY={(y) => formatNumber(y, i18n.language)}
        testId="policy-action-chart"
      />
    </div>
  );
}
