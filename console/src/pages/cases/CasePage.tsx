import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { ActionBadge } from '../../ui/ActionBadge.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { prettyJson } from '../../ui/json.ts';
import { type Verdict, VerdictView } from '../../ui/VerdictView.tsx';
import { CaseDetails } from './CaseDetails.tsx';
import { CASES_QUERY } from './CaseQueue.tsx';
import { CaseVerdict } from './CaseVerdict.tsx';
import { type Case, type CaseDetail, type CaseEvent, type DecisionRecord, isWaiting } from './model.ts';
import { AssigneeText, ChannelName, DueText, StatusText } from './parts.tsx';
import { ResolvePanel } from './ResolvePanel.tsx';
import type { CaseSearch } from './search.ts';
import './cases.css';

/** One case (`/cases/$caseId`): what was decided and why, the channel's details, history, and the actions the key may take. */
export function CasePage() {
  const { can } = useSession();
  if (!can('cases:read')) return <Forbidden />;
  return <CaseView />;
}

function CaseView() {
  const { t, i18n } = useTranslation('cases');
  const { can } = useSession();
  const { caseId } = useParams({ from: '/cases/$caseId' });
  const search = useSearch({ from: '/cases/$caseId' }) as CaseSearch;
  /** Resolved on this page just now: the outcome takes the focus (the resolve form it replaces had it). */
  const [resolvedHere, setResolvedHere] = useState(false);
  const detail = useQuery({
    queryKey: [...CASES_QUERY, 'detail', caseId],
    queryFn: ({ signal }) => api<CaseDetail>(`/v1/cases/${encodeURIComponent(caseId)}`, { signal }),
  });
  const decisionId = detail.data?.decisionId;
  const decision = useQuery({
    queryKey: ['decisions', 'one', decisionId],
    queryFn: ({ signal }) =>
      api<DecisionRecord>(`/v1/decisions/${encodeURIComponent(decisionId ?? '')}`, { signal }),
    enabled: decisionId !== undefined && can('decisions:read'),
    staleTime: Number.POSITIVE_INFINITY,
  });

  if (detail.isPending)
    return (
      <section className="page">
        <h1>{t('case.loadingTitle')}</h1>
        <p aria-busy="true">{t('common:common.loading')}</p>
      </section>
    );
  if (detail.isError)
    return (
      <section className="page">
        <h1>{t('case.errorTitle')}</h1>
        <ErrorNotice error={detail.error} onRetry={() => void detail.refetch()} />
        <BackLink />
      </section>
    );

  const item = detail.data;
  const now = Date.now();
  const waiting = isWaiting(item.status);
  const verdict = decision.data?.verdict as Verdict | undefined;

  return (
    <section className="page cases-page" aria-labelledby="case-title">
      <BackLink />
      <h1 id="case-title">{pick(item.summary.summary, i18n.language)}</h1>
      <div className="panel">
        <dl className="facts cases-head">
          <dt>{t('common:common.channel')}</dt>
          <dd>
            <ChannelName name={item.channel} />
          </dd>
          <dt>{t('common:common.action')}</dt>
          <dd>
            <ActionBadge action={item.action} />{' '}
            <span className="help">
              {t('case.score', { score: formatNumber(item.summary.score, i18n.language, 2) })}
            </span>
          </dd>
          <dt>{t('field.status')}</dt>
          <dd data-testid="case-status" data-status={item.status}>
            <StatusText status={item.status} />
          </dd>
          <dt>{t('field.due')}</dt>
          <dd>
            <DueText item={item} now={now} />
          </dd>
          <dt>{t('field.origin')}</dt>
          <dd className="mono">{item.origin ?? '—'}</dd>
          <dt>{t('field.assignee')}</dt>
          <dd>
            <AssigneeText assignee={item.assignee} />
          </dd>
          <dt>{t('field.subject')}</dt>
          <dd className="mono cases-break">{item.subject ?? '—'}</dd>
          <dt>{t('field.opened')}</dt>
          <dd>{formatTime(item.createdAt, i18n.language)}</dd>
        </dl>
      </div>

      {item.status === 'resolved' || item.status === 'expired' ? (
        <Outcome item={item} focus={resolvedHere} />
      ) : null}

      {waiting && can('cases:resolve') ? (
        <div className="panel">
          <ResolvePanel
            item={item}
            focus={search.resolve === true}
            onResolved={() => setResolvedHere(true)}
          />
        </div>
      ) : null}

      <div className="grid-2">
        <section className="panel" aria-labelledby="case-verdict">
          <h2 id="case-verdict">{t('verdict.title')}</h2>
          {verdict ? (
            <VerdictView verdict={verdict} headingLevel={3} />
          ) : (
            // Without decisions:read (an origin-bound key), what the case itself carries.
            <CaseVerdict
              reasons={item.summary.reasons}
              hits={item.summary.hits}
              channel={item.channel}
              score={item.summary.score}
            />
          )}
        </section>
        <section className="panel" aria-labelledby="case-details-title" data-testid="case-details">
          <h2 id="case-details-title">{t('details.title')}</h2>
          {item.summary.details ? (
            <CaseDetails channel={item.channel} details={item.summary.details} />
          ) : (
            <p className="help">{t('details.hqOnly')}</p>
          )}
        </section>
      </div>

      {waiting && can('cases:assign') ? <AssignPanel item={item} /> : null}

      <section className="panel" aria-labelledby="case-history">
        <h2 id="case-history">{t('history.title')}</h2>
        <History events={item.history} />
        {waiting && can('cases:comment') ? <CommentForm caseId={item.id} /> : null}
      </section>

      {can('decisions:read') ? (
        <section className="panel" aria-labelledby="case-event">
          <h2 id="case-event">{t('event.title')}</h2>
          {decision.isPending ? (
            <p aria-busy="true">{t('common:common.loading')}</p>
          ) : decision.isError ? (
            <ErrorNotice error={decision.error} />
          ) : (
            <details className="cases-json">
              <summary>{t('event.show')}</summary>
              <pre>{prettyJson(decision.data.event)}</pre>
            </details>
          )}
        </section>
      ) : null}
    </section>
  );
}

function BackLink() {
  const { t } = useTranslation('cases');
  return (
    <p className="cases-back">
      <Link to="/cases">{t('case.back')}</Link>
    </p>
  );
}

/** A closed case: what was decided, by whom, and what the channel does. */
function Outcome({ item, focus = false }: { readonly item: Case; readonly focus?: boolean }) {
  const { t, i18n } = useTranslation('cases');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus]);
  return (
    <div
      ref={ref}
      tabIndex={-1}
      className={item.status === 'resolved' ? 'notice notice-ok' : 'notice notice-info'}
      role="status"
      data-testid="case-outcome"
    >
      <strong>{item.resolution ? t(`outcome.${item.resolution}`) : t('outcome.expired')}</strong>
      {item.effect ? <p>{t(`resolve.effect.${item.effect}`)}</p> : null}
      <dl className="facts">
        {item.resolutionReason ? (
          <>
            <dt>{t('outcome.reason')}</dt>
            <dd className="cases-prewrap">{item.resolutionReason}</dd>
          </>
        ) : null}
        {item.resolvedBy ? (
          <>
            <dt>{t('outcome.by')}</dt>
            <dd>
              <AssigneeText assignee={item.resolvedBy} />
            </dd>
          </>
        ) : null}
        {item.resolvedAt ? (
          <>
            <dt>{t('outcome.at')}</dt>
            <dd>{formatTime(item.resolvedAt, i18n.language)}</dd>
          </>
        ) : null}
        <dt>{t('outcome.delivery')}</dt>
        <dd>
          {item.outcomeDeliveredAt
            ? t('outcome.delivered', { at: formatTime(item.outcomeDeliveredAt, i18n.language) })
            : t('outcome.notDelivered', { attempts: item.outcomeAttempts })}
        </dd>
      </dl>
    </div>
  );
}

function AssignPanel({ item }: { readonly item: Case }) {
  const { t } = useTranslation('cases');
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [assignee, setAssignee] = useState('');
  const assign = useMutation({
    mutationFn: (to: string) =>
      api<Case>(`/v1/cases/${encodeURIComponent(item.id)}/assign`, {
        method: 'POST',
        body: { assignee: to },
      }),
    onSuccess: () => {
      setAssignee('');
      void queryClient.invalidateQueries({ queryKey: CASES_QUERY });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (assignee.trim()) assign.mutate(assignee.trim());
  }
  return (
    <section className="panel" aria-labelledby="case-assign">
      <h2 id="case-assign">{t('assign.title')}</h2>
      <form className="filters" onSubmit={submit}>
        {item.assignee !== me.keyId ? (
          <button
            type="button"
            className="button button-primary"
            disabled={assign.isPending}
            onClick={() => assign.mutate(me.keyId)}
          >
            {t('assign.toMe')}
          </button>
        ) : null}
        <div className="field">
          <label htmlFor="case-assignee">{t('assign.to')}</label>
          <input
            id="case-assignee"
            value={assignee}
            maxLength={200}
            onChange={(e) => setAssignee(e.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={assign.isPending || assignee.trim() === ''}>
          {t('assign.submit')}
        </button>
      </form>
      <ErrorNotice error={assign.error} />
      <p className="visually-hidden" aria-live="polite">
        {assign.isSuccess ? t('assign.done') : ''}
      </p>
    </section>
  );
}

function History({ events }: { readonly events: readonly CaseEvent[] }) {
  const { t, i18n } = useTranslation('cases');
  if (events.length === 0) return <p className="help">{t('history.empty')}</p>;
  return (
    <ol className="cases-timeline">
      {events.map((event) => (
        <li key={event.id}>
          <p className="cases-timeline-head">
            <strong>{t(`history.type.${event.type}`, { defaultValue: event.type })}</strong>{' '}
            <span className="help">
              <time dateTime={event.at}>{formatTime(event.at, i18n.language)}</time> ·{' '}
              {event.actor === 'system' ? t('history.system') : <AssigneeText assignee={event.actor} />}
            </span>
          </p>
          <EventData event={event} />
        </li>
      ))}
    </ol>
  );
}

function EventData({ event }: { readonly event: CaseEvent }) {
  const { t } = useTranslation('cases');
  const { data } = event;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  switch (event.type) {
    case 'commented':
      return <p className="cases-comment cases-prewrap">{text(data.text)}</p>;
    case 'assigned':
      return (
        <p>
          {t('history.assignedTo')} <AssigneeText assignee={text(data.assignee) || null} />
        </p>
      );
    case 'status_changed':
      return (
        <p>
          {t(`common:status.${text(data.from)}`, { defaultValue: text(data.from) })} →{' '}
          {t(`common:status.${text(data.to)}`, { defaultValue: text(data.to) })}
        </p>
      );
    case 'resolved':
      return (
        <>
          <p>
            {t(`outcome.${text(data.resolution)}`, { defaultValue: text(data.resolution) })}
            {data.effect
              ? ` — ${t(`resolve.effect.${text(data.effect)}`, { defaultValue: text(data.effect) })}`
              : ''}
          </p>
          {data.reason ? <p className="cases-comment cases-prewrap">{text(data.reason)}</p> : null}
        </>
      );
    case 'opened':
    case 'rescreened':
      return data.action ? (
        <p>
          <ActionBadge action={text(data.action)} />{' '}
          {data.score !== undefined ? t('case.score', { score: text(data.score) }) : null}
        </p>
      ) : null;
    default:
      return null;
  }
}

function CommentForm({ caseId }: { readonly caseId: string }) {
  const { t } = useTranslation('cases');
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const comment = useMutation({
    mutationFn: (body: string) =>
      api<CaseEvent>(`/v1/cases/${encodeURIComponent(caseId)}/comments`, {
        method: 'POST',
        body: { text: body },
      }),
    onSuccess: () => {
      setText('');
      void queryClient.invalidateQueries({ queryKey: CASES_QUERY });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (text.trim()) comment.mutate(text.trim());
  }
  return (
    <form onSubmit={submit} className="cases-comment-form">
      <div className="field">
        <label htmlFor="case-comment">{t('comment.label')}</label>
        <textarea
          id="case-comment"
          rows={3}
          maxLength={4000}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <ErrorNotice error={comment.error} />
      <button
        type="submit"
        className="button button-primary"
        disabled={comment.isPending || text.trim() === ''}
      >
        {t('comment.submit')}
      </button>
      <p className="visually-hidden" aria-live="polite">
        {comment.isSuccess ? t('comment.done') : ''}
      </p>
    </form>
  );
}
