import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { type AuditReport, type Checkpoint, shortHash } from './model.ts';

/** How many findings the panel names (the rest are counted). */
const FINDINGS_SHOWN = 5;

/**
 * The decision log's chain (X1), for keys with decisions:audit: its signed
 * head, and a full audit on demand (`POST /v1/decisions/verify`, which walks the
 * whole log: seconds to minutes).
 */
export function AuditPanel({ refetchInterval }: { readonly refetchInterval: number }) {
  const { t, i18n } = useTranslation('dashboard');
  const lang = i18n.language;
  const head = useQuery({
    queryKey: ['decisions', 'checkpoint', 'head'],
    queryFn: () => api<Checkpoint>('/v1/decisions/checkpoint', { query: { check: 'head' } }),
    refetchInterval,
  });
  const verify = useMutation({
    mutationFn: () => api<AuditReport>('/v1/decisions/verify', { method: 'POST', body: {} }),
  });
  const report = verify.data;

  return (
    <section
      className="panel dashboard-audit"
      aria-labelledby="dashboard-audit-title"
      data-testid="dashboard-audit"
    >
      <h2 id="dashboard-audit-title">{t('audit.title')}</h2>
      <p className="help">{t('audit.help')}</p>
      {head.isPending ? <p aria-busy="true">{t('common:common.loading')}</p> : null}
      {head.error ? <ErrorNotice error={head.error} onRetry={() => void head.refetch()} /> : null}
      {head.data ? (
        <dl className="facts">
          <dt>{t('audit.length')}</dt>
          <dd className="num">{t('audit.lengthValue', { seq: formatNumber(head.data.seq, lang) })}</dd>
          <dt>{t('audit.hash')}</dt>
          <dd>
            <code title={head.data.hash}>{shortHash(head.data.hash)}</code>
          </dd>
          <dt>{t('audit.signedAt')}</dt>
          <dd>{formatTime(head.data.time, lang)}</dd>
          <dt>{t('audit.key')}</dt>
          <dd>
            <code title={head.data.key}>{shortHash(head.data.key)}</code>
          </dd>
        </dl>
      ) : null}
      <div className="actions-row">
        <button
          type="button"
          className="button button-primary"
          onClick={() => verify.mutate()}
          disabled={verify.isPending}
          aria-busy={verify.isPending}
        >
          {verify.isPending ? t('audit.verifying') : t('audit.verify')}
        </button>
      </div>
      <div role="status" aria-live="polite" className="dashboard-audit-result">
        {verify.isPending ? <p className="help">{t('audit.verifyingHelp')}</p> : null}
        {report && !verify.isPending ? (
          report.ok ? (
            <div className="notice notice-ok">
              <strong>{t('audit.ok')}</strong>
              <p>
                {t('audit.okDetail', {
                  checked: formatNumber(report.checked, lang),
                  seq: formatNumber(report.head.seq, lang),
                })}
              </p>
            </div>
          ) : (
            <div className="notice notice-error">
              <strong>{t('audit.findings', { n: formatNumber(report.findings.length, lang) })}</strong>
              <p>{t('audit.checked', { checked: formatNumber(report.checked, lang) })}</p>
              <ul>
                {report.findings.slice(0, FINDINGS_SHOWN).map((f, i) => (
                  <li key={`${f.kind}:${f.seq ?? f.caseId ?? i}`}>
                    <strong>{t(`audit.kind.${f.kind}`, { defaultValue: f.kind })}</strong>
                    {f.seq !== undefined ? ` ${t('audit.atSeq', { seq: f.seq })}` : ''}
                    {f.caseId ? ` ${t('audit.atCase', { id: f.caseId })}` : ''}
                    <span className="help"> — {f.message}</span>
                  </li>
                ))}
              </ul>
              {report.findings.length > FINDINGS_SHOWN ? (
                <p>{t('audit.more', { n: formatNumber(report.findings.length - FINDINGS_SHOWN, lang) })}</p>
              ) : null}
            </div>
          )
        ) : null}
      </div>
      {verify.error ? <ErrorNotice error={verify.error} /> : null}
    </section>
  );
}
