import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { ActionBadge } from '../../ui/ActionBadge.tsx';
import { actionColor, Chart } from '../../ui/Chart.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { AuditPanel } from './AuditPanel.tsx';
import {
  bucketise,
  type ChannelCatalogue,
  type DashboardSearch,
  type Overview,
  STOPPING_ACTIONS,
  WINDOWS,
  type WindowHours,
} from './model.ts';
import './dashboard.css';

/** The dashboard refreshes itself every minute. */
const REFRESH_MS = 60_000;

function useChannels() {
  return useQuery({
    queryKey: ['channels'],
    queryFn: () => api<ChannelCatalogue>('/v1/channels'),
    staleTime: 10 * 60_000,
  });
}

export function Dashboard({
  search,
  onSearch,
}: {
  readonly search: DashboardSearch;
  readonly onSearch: (next: DashboardSearch) => void;
}) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const { can } = useSession();
  const hours: WindowHours = search.hours ?? 24;
  const channel = search.channel;
  const overview = useQuery({
    queryKey: ['stats', 'overview', hours, channel ?? ''],
    queryFn: () => api<Overview>('/v1/stats/overview', { query: { hours, channel } }),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const channels = useChannels();

  const channelTitle = (name: string) => {
    const item = channels.data?.items.find((c) => c.name === name);
    return item ? pick(item.title, lang) : name;
  };
  const channelNames = useMemo(() => {
    const names = new Set<string>(channels.data?.items.map((c) => c.name) ?? []);
    for (const name of Object.keys(overview.data?.totals.byChannel ?? {})) names.add(name);
    if (channel) names.add(channel);
    return [...names];
  }, [channels.data, overview.data, channel]);

  const data = overview.data;
  return (
    <section className="page dashboard" aria-labelledby="dashboard-title">
      <div className="dashboard-head">
        <h1 id="dashboard-title">{t('title')}</h1>
        <p className="dashboard-updated" aria-live="polite">
          {overview.dataUpdatedAt > 0
            ? t('updatedAt', { time: formatClock(overview.dataUpdatedAt, lang) })
            : null}
          {overview.isFetching ? <span className="help"> {t('refreshing')}</span> : null}
        </p>
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="dashboard-hours">{t('filters.window')}</label>
          <select
            id="dashboard-hours"
            value={hours}
            onChange={(event) => onSearch({ ...search, hours: Number(event.target.value) as WindowHours })}
          >
            {WINDOWS.map((h) => (
              <option key={h} value={h}>
                {t(`window.${h}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dashboard-channel">{t('filters.channel')}</label>
          <select
            id="dashboard-channel"
            value={channel ?? ''}
            onChange={(event) => onSearch({ ...search, channel: event.target.value || undefined })}
          >
            <option value="">{t('filters.allChannels')}</option>
            {channelNames.map((name) => (
              <option key={name} value={name}>
                {channelTitle(name)}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className="button"
          onClick={() => void overview.refetch()}
          disabled={overview.isFetching}
        >
          {t('refresh')}
        </button>
      </div>

      {overview.error ? <ErrorNotice error={overview.error} onRetry={() => void overview.refetch()} /> : null}
      {overview.isPending ? (
        <p className="help" aria-busy="true">
          {t('common:common.loading')}
        </p>
      ) : null}

      {data ? (
        <>
          <Kpis data={data} />
          {data.totals.decisions === 0 ? (
            <EmptyWindow hours={hours} filtered={channel !== undefined} />
          ) : null}
          <HourlyPanel data={data} />
          <div className="grid-2">
            <ChannelTotals data={data} channelTitle={channelTitle} />
            <QueueByChannel data={data} channelTitle={channelTitle} />
          </div>
          <div className="grid-2">
            <TopSignals data={data} catalogue={channels.data} />
            <TopIndicators data={data} linkable={can('indicators:read')} />
          </div>
        </>
      ) : null}
      {can('decisions:audit') ? <AuditPanel refetchInterval={REFRESH_MS} /> : null}
    </section>
  );
}

function formatClock(ms: number, lang: string): string {
  return new Intl.DateTimeFormat(lang.startsWith('en') ? 'en-GB' : 'ja-JP', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(ms));
}

function percent(part: number, whole: number, lang: string): string {
  if (whole <= 0) return '—';
  return new Intl.NumberFormat(lang.startsWith('en') ? 'en-GB' : 'ja-JP', {
    style: 'percent',
    maximumFractionDigits: 1,
  }).format(part / whole);
}

function Kpis({ data }: { readonly data: Overview }) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const n = (v: number) => formatNumber(v, lang);
  const stopped = STOPPING_ACTIONS.reduce((sum, a) => sum + (data.totals.byAction[a] ?? 0), 0);
  const waiting = data.cases.open + data.cases.inReview;
  const overdue = data.cases.overdue;
  const failed = data.cases.deliveryFailed;
  return (
    <section aria-labelledby="dashboard-kpis-title" data-testid="dashboard-kpis">
      <h2 id="dashboard-kpis-title" className="visually-hidden">
        {t('kpi.title')}
      </h2>
      <ul className="dashboard-kpis">
        <li className="dashboard-kpi">
          <span className="dashboard-kpi-label">{t('kpi.decisions')}</span>
          <span className="dashboard-kpi-value">{n(data.totals.decisions)}</span>
          <span className="help">{t(`window.${data.hours}`, { defaultValue: '' })}</span>
        </li>
        <li className="dashboard-kpi">
          <span className="dashboard-kpi-label">{t('kpi.stopped')}</span>
          <span className="dashboard-kpi-value">{percent(stopped, data.totals.decisions, lang)}</span>
          <span className="help">{t('kpi.stoppedDetail', { n: n(stopped) })}</span>
        </li>
        <li className="dashboard-kpi">
          <span className="dashboard-kpi-label">{t('kpi.waiting')}</span>
          <span className="dashboard-kpi-value">{n(waiting)}</span>
          <span className="help">
            {t('kpi.waitingDetail', { open: n(data.cases.open), inReview: n(data.cases.inReview) })}
          </span>
        </li>
        <li className={overdue > 0 ? 'dashboard-kpi dashboard-kpi-alert' : 'dashboard-kpi'}>
          <span className="dashboard-kpi-label">{t('kpi.overdue')}</span>
          <span className="dashboard-kpi-value">{n(overdue)}</span>
          <span className={overdue > 0 ? 'dashboard-kpi-word' : 'help'}>
            {overdue > 0 ? t('kpi.overdueAlert') : t('kpi.overdueNone')}
          </span>
          {overdue > 0 ? (
            <Link to="/cases" search={{ overdue: true } as never} className="dashboard-kpi-link">
              {t('kpi.overdueLink')}
            </Link>
          ) : null}
        </li>
        <li className={failed > 0 ? 'dashboard-kpi dashboard-kpi-alert' : 'dashboard-kpi'}>
          <span className="dashboard-kpi-label">{t('kpi.delivery')}</span>
          <span className="dashboard-kpi-value">{n(failed)}</span>
          <span className={failed > 0 ? 'dashboard-kpi-word' : 'help'}>
            {failed > 0 ? t('kpi.deliveryAlert') : t('kpi.deliveryNone')}
          </span>
          <span className="help">{t('kpi.undelivered', { n: n(data.cases.undelivered) })}</span>
        </li>
      </ul>
    </section>
  );
}

function EmptyWindow({ hours, filtered }: { readonly hours: number; readonly filtered: boolean }) {
  const { t } = useTranslation('dashboard');
  const { can } = useSession();
  return (
    <div className="notice notice-info dashboard-empty">
      <strong>{t('empty.title', { window: t(`window.${hours}`, { defaultValue: '' }) })}</strong>
      <p>{filtered ? t('empty.filtered') : t('empty.body')}</p>
      {can('screen') && !filtered ? (
        <p>
          <Link to="/screen">{t('empty.screen')}</Link>
        </p>
      ) : null}
    </div>
  );
}

function HourlyPanel({ data }: { readonly data: Overview }) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const { x, byAction, daily } = useMemo(() => bucketise(data), [data]);
  const series = useMemo(
    () =>
      byAction.map((s) => ({
        label: t(`common:action.${s.action}`, { defaultValue: s.action }),
        color: actionColor(s.action),
        values: s.values,
      })),
    [byAction, t],
  );
  const locale = lang.startsWith('en') ? 'en-GB' : 'ja-JP';
  const formatX = (sec: number) =>
    new Intl.DateTimeFormat(
      locale,
      daily
        ? { month: '2-digit', day: '2-digit', weekday: 'short' }
        : { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' },
    ).format(new Date(sec * 1000));
  const formatTick = (sec: number) => {
    const d = new Date(sec * 1000);
    const midnight = d.getHours() === 0 && d.getMinutes() === 0;
    return new Intl.DateTimeFormat(
      locale,
      midnight || daily ? { month: 'numeric', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' },
    ).format(d);
  };
  const title = daily ? t('hourly.titleDaily') : t('hourly.title');
  return (
    <section className="panel" aria-labelledby="dashboard-hourly-title">
      <h2 id="dashboard-hourly-title">{title}</h2>
      {series.length === 0 ? (
        <p className="dashboard-nodata" data-testid="dashboard-hourly-chart">
          {t('hourly.empty')}
        </p>
      ) : (
        <Chart
          kind="stacked"
          x={x}
          series={series}
          label={t('hourly.label', {
            window: t(`window.${data.hours}`, { defaultValue: '' }),
            total: formatNumber(data.totals.decisions, lang),
          })}
          xHeader={daily ? t('hourly.day') : t('hourly.hour')}
          totalHeader={t('hourly.total')}
          formatX={formatX}
          formatTick={formatTick}
          formatY={(v) => formatNumber(v, lang)}
          testId="dashboard-hourly-chart"
        />
      )}
      <p className="help">
        {t('hourly.range', { from: formatTime(data.from, lang), to: formatTime(data.to, lang) })}
      </p>
    </section>
  );
}

function ChannelTotals({
  data,
  channelTitle,
}: {
  readonly data: Overview;
  readonly channelTitle: (name: string) => string;
}) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const rows = Object.entries(data.totals.byChannel).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return (
    <section className="panel" aria-labelledby="dashboard-channels-title">
      <h2 id="dashboard-channels-title">{t('channels.title')}</h2>
      {rows.length === 0 ? (
        <p className="dashboard-nodata">{t('channels.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common:common.channel')}</th>
                <th scope="col" className="num">
                  {t('channels.decisions')}
                </th>
                <th scope="col" className="num">
                  {t('channels.share')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([name, count]) => (
                <tr key={name}>
                  <th scope="row">{channelTitle(name)}</th>
                  <td className="num">
                    <span className="dashboard-bar" aria-hidden="true">
                      <span style={{ width: `${(count / max) * 100}%` }} />
                    </span>
                    {formatNumber(count, lang)}
                  </td>
                  <td className="num">{percent(count, data.totals.decisions, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ul className="dashboard-actions">
        {Object.entries(data.totals.byAction)
          .filter(([, count]) => count > 0)
          .map(([action, count]) => (
            <li key={action}>
              <ActionBadge action={action} /> <span className="num">{formatNumber(count, lang)}</span>
            </li>
          ))}
      </ul>
    </section>
  );
}

function QueueByChannel({
  data,
  channelTitle,
}: {
  readonly data: Overview;
  readonly channelTitle: (name: string) => string;
}) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const { can } = useSession();
  const rows = data.cases.byChannel;
  const linkable = can('cases:read');
  return (
    <section className="panel" aria-labelledby="dashboard-queue-title">
      <h2 id="dashboard-queue-title">{t('queue.title')}</h2>
      {rows.length === 0 ? (
        <p className="dashboard-nodata">{t('queue.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common:common.channel')}</th>
                <th scope="col" className="num">
                  {t('queue.waiting')}
                </th>
                <th scope="col" className="num">
                  {t('queue.overdue')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.channel}>
                  <th scope="row">
                    {linkable ? (
                      <Link to="/cases" search={{ channel: row.channel } as never}>
                        {channelTitle(row.channel)}
                      </Link>
                    ) : (
                      channelTitle(row.channel)
                    )}
                  </th>
                  <td className="num">{formatNumber(row.waiting, lang)}</td>
                  <td className={row.overdue > 0 ? 'num dashboard-overdue' : 'num'}>
                    {row.overdue > 0 && linkable ? (
                      <Link
                        to="/cases"
                        search={{ channel: row.channel, overdue: true } as never}
                        aria-label={t('queue.overdueLink', {
                          channel: channelTitle(row.channel),
                          n: formatNumber(row.overdue, lang),
                        })}
                      >
                        {t('queue.overdueCount', { n: formatNumber(row.overdue, lang) })}
                      </Link>
                    ) : row.overdue > 0 ? (
                      t('queue.overdueCount', { n: formatNumber(row.overdue, lang) })
                    ) : (
                      formatNumber(0, lang)
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TopSignals({
  data,
  catalogue,
}: {
  readonly data: Overview;
  readonly catalogue: ChannelCatalogue | undefined;
}) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const descriptions = useMemo(() => {
    const map = new Map<string, string>();
    for (const c of catalogue?.items ?? []) {
      for (const s of c.signals) if (!map.has(s.name)) map.set(s.name, pick(s.description, lang));
    }
    return map;
  }, [catalogue, lang]);
  return (
    <section className="panel" aria-labelledby="dashboard-signals-title" data-testid="dashboard-top-signals">
      <h2 id="dashboard-signals-title">{t('signals.title')}</h2>
      {data.topSignals.length === 0 ? (
        <p className="dashboard-nodata">{t('signals.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('signals.signal')}</th>
                <th scope="col" className="num">
                  {t('signals.count')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.topSignals.map((s) => (
                <tr key={s.signal}>
                  <th scope="row" className="dashboard-signal">
                    <code>{s.signal}</code>
                    {descriptions.get(s.signal) ? (
                      <span className="help">{descriptions.get(s.signal)}</span>
                    ) : null}
                  </th>
                  <td className="num">{formatNumber(s.count, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TopIndicators({ data, linkable }: { readonly data: Overview; readonly linkable: boolean }) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  return (
    <section className="panel" aria-labelledby="dashboard-indicators-title">
      <h2 id="dashboard-indicators-title">{t('indicators.title')}</h2>
      {data.topIndicators.length === 0 ? (
        <p className="dashboard-nodata">{t('indicators.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('indicators.value')}</th>
                <th scope="col">{t('indicators.type')}</th>
                <th scope="col" className="num">
                  {t('indicators.count')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.topIndicators.map((row) => (
                <tr key={`${row.type}:${row.value}`}>
                  <th scope="row" className="dashboard-indicator">
                    {linkable ? (
                      <Link to="/indicators" search={{ value: row.value } as never}>
                        <code>{row.value}</code>
                      </Link>
                    ) : (
                      <code>{row.value}</code>
                    )}
                  </th>
                  <td>{t(`indicatorType.${row.type}`, { defaultValue: row.type })}</td>
                  <td className="num">{formatNumber(row.count, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
