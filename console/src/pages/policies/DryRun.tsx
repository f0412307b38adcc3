import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { ACTIONS } from '../../types.ts';
import { ActionBadge } from '../../ui/ActionBadge.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { ActionChart, type ActionCount } from './ActionChart.tsx';
import type { JsonObject } from './layer.ts';
import type { DryRunReport } from './queries.ts';

/** Every decision checked, by action as recorded (`before`) and under the draft (`after`). */
export function actionCounts(report: DryRunReport): ActionCount[] {
  const { before, after } = report.actions;
  const seen = new Set([...Object.keys(before), ...Object.keys(after)]);
  const order = [...ACTIONS, ...[...seen].filter((a) => !(ACTIONS as readonly string[]).includes(a))];
  return order
    .filter((a) => seen.has(a))
    .map((action) => ({ action, before: before[action] ?? 0, after: after[action] ?? 0 }));
}

/**
 * "Try on the last N decisions": the draft layer is dry-run by the server
 * before anything is saved; the report says how many verdicts would change
 * and which.
 */
export function DryRun({
  channel,
  layer,
  onError,
}: {
  channel: string;
  layer: JsonObject;
  onError: (error: unknown) => void;
}) {
  const { t, i18n } = useTranslation('policies');
  const id = useId();
  const [limit, setLimit] = useState(1000);
  const run = useMutation({
    mutationFn: () =>
      api<DryRunReport>(`/v1/policies/${encodeURIComponent(channel)}/dry-run`, {
        method: 'POST',
        body: { document: layer, limit },
      }),
    onError,
    onSuccess: () => onError(null),
  });
  const report = run.data;
  return (
    <section className="panel policies-dry-run" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('dryRun.title')}</h2>
      <p className="help">{t('dryRun.help')}</p>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-limit`}>{t('dryRun.limit')}</label>
          <input
            id={`${id}-limit`}
            type="number"
            min={1}
            max={100000}
            step={1}
            value={limit}
            onChange={(event) => setLimit(Math.max(1, Math.min(100_000, event.target.valueAsNumber || 1)))}
          />
        </div>
        <button
          type="button"
          className="button button-primary"
          data-testid="policy-dry-run"
          disabled={run.isPending}
          onClick={() => run.mutate()}
        >
          {t('dryRun.run', { n: limit })}
        </button>
        {run.isPending ? (
          <span role="status" className="help">
            {t('dryRun.running')}
          </span>
        ) : null}
      </div>
      {run.error ? <ErrorNotice error={run.error} /> : null}
      {report ? (
        <div data-testid="policy-dry-run-report" className="policies-report" aria-live="polite">
          <p className="policies-headline">
            <Trans changed={report.changed} checked={report.checked} />
          </p>
          <p>{pick(report.summary, i18n.language)}</p>
          {report.rescoredOnly?.note ? (
            <p className="notice notice-info">{pick(report.rescoredOnly.note, i18n.language)}</p>
          ) : null}
          {report.checked > 0 ? (
            <>
              <h3>{t('chart.title')}</h3>
              <ActionChart counts={actionCounts(report)} />
            </>
          ) : null}
          {report.changed > 0 ? (
            <>
              <h3>{t('dryRun.transitions')}</h3>
              <div className="table-wrap policies-narrow">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('dryRun.from')}</th>
                      <th scope="col">{t('dryRun.to')}</th>
                      <th scope="col" className="num">
                        {t('dryRun.count')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(report.transitions).map(([key, n]) => {
                      const [from = '', to = ''] = key.split(/->|→/);
                      return (
                        <tr key={key}>
                          <td>
                            <ActionBadge action={from} />
                          </td>
                          <td>
                            <ActionBadge action={to} />
                          </td>
                          <td className="num">{formatNumber(n, i18n.language)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <h3>{t('dryRun.changes')}</h3>
              <div className="table-wrap">
                <table data-testid="policy-diff-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('common:common.time')}</th>
                      <th scope="col">{t('dryRun.decision')}</th>
                      <th scope="col">{t('dryRun.from')}</th>
                      <th scope="col">{t('dryRun.to')}</th>
                      <th scope="col">{t('dryRun.mode')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.changes.map((change) => (
                      <tr key={change.decisionId}>
                        <td>{formatTime(change.createdAt, i18n.language)}</td>
                        <td>
                          <Link
                            to="/decisions/$decisionId"
                            params={{ decisionId: change.decisionId }}
                            className="mono policies-id"
                          >
                            {change.decisionId}
                          </Link>
                        </td>
                        <td>
                          <ActionBadge action={change.from.action} />{' '}
                          <span className="num">{formatNumber(change.from.score, i18n.language, 2)}</span>
                        </td>
                        <td>
                          <ActionBadge action={change.to.action} />{' '}
                          <span className="num">{formatNumber(change.to.score, i18n.language, 2)}</span>
                        </td>
                        <td>
                          {t(`dryRun.modes.${change.mode}`, { defaultValue: change.mode })}
                          {change.note ? (
                            <span className="help"> {pick(change.note, i18n.language)}</span>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function Trans({ changed, checked }: { changed: number; checked: number }) {
  const { t, i18n } = useTranslation('policies');
  return (
    <>
      {t('dryRun.changedBefore')}
      <strong data-testid="policy-changed-count">{formatNumber(changed, i18n.language)}</strong>
      {t('dryRun.changedAfter', { checked: formatNumber(checked, i18n.language) })}
    </>
  );
}
