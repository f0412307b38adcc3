import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { prettyJson } from '../../ui/json.ts';
import { VerdictView } from '../../ui/VerdictView.tsx';
import type { CaseStatus } from '../cases/model.ts';
import type { Decision } from './decision.ts';
import './decisions.css';

export function DecisionPage() {
  const { can } = useSession();
  if (!can('decisions:read')) return <Forbidden />;
  return <DecisionDetail />;
}

function DecisionDetail() {
  const { t } = useTranslation('decisions');
  const { can } = useSession();
  const { decisionId } = useParams({ from: '/decisions/$decisionId' });
  const decision = useQuery({
    queryKey: ['decision', decisionId],
    queryFn: ({ signal }) => api<Decision>(`/v1/decisions/${encodeURIComponent(decisionId)}`, { signal }),
    retry: false,
  });
  const d = decision.data;
  return (
    <section className="page decision-page" aria-labelledby="decision-title">
      <p className="decision-back">
        <Link to="/decisions">{t('back')}</Link>
      </p>
      <h1 id="decision-title">{t('decisionTitle')}</h1>
      <p className="mono decision-id">{decisionId}</p>
      <ErrorNotice error={decision.error} onRetry={() => void decision.refetch()} />
      {decision.isPending ? <p aria-busy="true">{t('common:common.loading')}</p> : null}
      {d ? (
        <>
          <VerdictView verdict={d.verdict} />
          <section className="panel" aria-labelledby="decision-chain">
            <h2 id="decision-chain">{t('chain')}</h2>
            <dl className="facts decision-chain">
              <dt>{t('seq')}</dt>
              <dd className="num decision-seq">{d.seq}</dd>
              <dt>{t('hash')}</dt>
              <dd>
                <code className="decision-hash">{d.hash}</code>
              </dd>
              <dt>{t('prevHash')}</dt>
              <dd>
                <code className="decision-hash">{d.prevHash}</code>
              </dd>
              {d.verdict.policy ? (
                <>
                  <dt>{t('policy')}</dt>
                  <dd>
                    {t('policyVersion', { channel: d.verdict.channel, version: d.verdict.policy.version })}
                    {can('policies:read') ? (
                      <>
                        {' '}
                        <Link to="/policies/$channel" params={{ channel: d.verdict.channel }}>
                          {t('openPolicy', { channel: d.verdict.channel })}
                        </Link>
                      </>
                    ) : null}
                  </dd>
                </>
              ) : null}
              {can('cases:read') ? <DecisionCase decisionId={decisionId} /> : null}
            </dl>
            <p className="help">{t('chainHelp')}</p>
          </section>
          <section className="panel" aria-labelledby="decision-event">
            <h2 id="decision-event">{t('event')}</h2>
            <details open className="decision-event">
              <summary>{t('eventJson')}</summary>
              <pre>{prettyJson(d.event)}</pre>
            </details>
          </section>
        </>
      ) : null}
    </section>
  );
}

/** The case this decision opened (`GET /v1/cases?decisionId=`), as a row of the facts; nothing when none. */
function DecisionCase({ decisionId }: { readonly decisionId: string }) {
  const { t } = useTranslation('decisions');
  const found = useQuery({
    queryKey: ['decision-case', decisionId],
    queryFn: ({ signal }) =>
      api<Page<{ readonly id: string; readonly status: CaseStatus }>>('/v1/cases', {
        query: { decisionId, limit: 1 },
        signal,
      }),
    retry: false,
  });
  const c = found.data?.items[0];
  if (found.error) {
    return (
      <>
        <dt>{t('case')}</dt>
        <dd>
          <ErrorNotice error={found.error} onRetry={() => void found.refetch()} />
        </dd>
      </>
    );
  }
  if (!c) return null;
  return (
    <>
      <dt>{t('case')}</dt>
      <dd data-testid="decision-case">
        <Link to="/cases/$caseId" params={{ caseId: c.id }}>
          {t('openCase', { status: t(`common:status.${c.status}`) })}
        </Link>
      </dd>
    </>
  );
}
