import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useRouter } from '@tanstack/react-router';
import type { MouseEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { VerdictView } from '../../ui/VerdictView.tsx';
import type { Decision } from './decision.ts';
import './decisions.css';

export function DecisionPage() {
  const { can } = useSession();
  if (!can('decisions:read')) return <Forbidden />;
  return <DecisionDetail />;
}

/**
 * A link to a console path that another page declares (the router's own
 * `Link` checks paths against the routes it knows at build time): same
 * behaviour — the console's history, a new tab with a modifier key.
 */
export function PathLink({
  href,
  children,
  className,
}: {
  readonly href: string;
  readonly children: ReactNode;
  readonly className?: string;
}) {
  const router = useRouter();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    router.history.push(href);
  };
  return (
    <a href={href} onClick={onClick} className={className}>
      {children}
    </a>
  );
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
                        <PathLink href={`/policies/${encodeURIComponent(d.verdict.channel)}`}>
                          {t('openPolicy', { channel: d.verdict.channel })}
                        </PathLink>
                      </>
                    ) : null}
                  </dd>
                </>
              ) : null}
            </dl>
            <p className="help">{t('chainHelp')}</p>
          </section>
          <section className="panel" aria-labelledby="decision-event">
            <h2 id="decision-event">{t('event')}</h2>
            <details open className="decision-event">
              <summary>{t('eventJson')}</summary>
              <pre>{JSON.stringify(d.event, null, 2)}</pre>
            </details>
          </section>
        </>
      ) : null}
    </section>
  );
}
