/**
 * One quarantined mail (issue 11 item 4, E4): what the filter saw (headers,
 * the text shown as TEXT — a mail's HTML is never rendered here), why it was
 * held, the decision it came from, and the two ways out of a false positive:
 * release to the recipients (re-injected by the server to the next hop) and
 * the "this is not fraud" appeal, which opens a case.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams, useSearch } from '@tanstack/react-router';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import {
  type AppealResult,
  CAN_APPEAL,
  CAN_DELETE,
  CAN_READ,
  CAN_RELEASE,
  formatSize,
  type QuarantineDetail,
  type QuarantineItemSearch,
  type ReleaseResult,
} from './model.ts';
import { StatusBadge } from './parts.tsx';
import { QUARANTINE_QUERY } from './QuarantineList.tsx';
import './quarantine.css';

export function QuarantineItemPage() {
  const { can } = useSession();
  if (!can(CAN_READ)) return <Forbidden />;
  return <Detail />;
}

function Detail() {
  const { t, i18n } = useTranslation('quarantine');
  const { can } = useSession();
  const { id } = useParams({ from: '/quarantine/$id' });
  const search = useSearch({ from: '/quarantine/$id' }) as QuarantineItemSearch;
  const item = useQuery({
    queryKey: [...QUARANTINE_QUERY, 'item', id],
    queryFn: ({ signal }) =>
      api<QuarantineDetail>(`/v1/mail/quarantine/${encodeURIComponent(id)}`, { signal }),
    retry: false,
  });
  const d = item.data;
  const back = search.recipient ? { recipient: search.recipient } : {};
  return (
    <section className="page quarantine-item-page" aria-labelledby="quarantine-item-title">
      <p className="quarantine-back">
        <Link to="/quarantine" search={back}>
          {search.recipient ? t('detail.backRecipient', { recipient: search.recipient }) : t('detail.back')}
        </Link>
      </p>
      <h1 id="quarantine-item-title">{t('detail.title')}</h1>
      <ErrorNotice error={item.error} onRetry={() => void item.refetch()} />
      {item.isPending ? <p aria-busy="true">{t('common:common.loading')}</p> : null}
      {d ? (
        <>
          <section className="panel" aria-labelledby="quarantine-facts">
            <h2 id="quarantine-facts" className="quarantine-subject-heading" data-testid="quarantine-subject">
              {d.subject.trim() || t('field.noSubject')}
            </h2>
            <dl className="facts" data-testid="quarantine-facts">
              <dt>{t('field.status')}</dt>
              <dd data-testid="quarantine-status" data-status={d.status}>
                <StatusBadge status={d.status} />
              </dd>
              <dt>{t('field.from')}</dt>
              <dd className="quarantine-break">{d.from ?? t('field.noFrom')}</dd>
              <dt>{t('field.recipients')}</dt>
              <dd className="quarantine-break">{d.recipients.join(', ')}</dd>
              <dt>{t('field.receivedAt')}</dt>
              <dd>{formatTime(d.receivedAt, i18n.language)}</dd>
              <dt>{t('field.expiresAt')}</dt>
              <dd>{formatTime(d.expiresAt, i18n.language)}</dd>
              {d.releasedAt ? (
                <>
                  <dt>{t('field.releasedAt')}</dt>
                  <dd>
                    {formatTime(d.releasedAt, i18n.language)}
                    {d.releasedTo && d.releasedTo.length > 0 ? ` → ${d.releasedTo.join(', ')}` : ''}
                  </dd>
                </>
              ) : null}
              <dt>{t('field.score')}</dt>
              <dd className="num">{formatNumber(d.score, i18n.language, 1)}</dd>
              <dt>{t('field.action')}</dt>
              <dd>{t(`common:action.${d.action}`, { defaultValue: d.action })}</dd>
              <dt>{t('field.size')}</dt>
              <dd>{formatSize(d.size, i18n.language)}</dd>
              <dt>{t('field.summary')}</dt>
              <dd>{pick(d.summary, i18n.language)}</dd>
              <dt>{t('field.decision')}</dt>
              <dd>
                {can('decisions:read') ? (
                  <Link
                    to="/decisions/$decisionId"
                    params={{ decisionId: d.decisionId }}
                    data-testid="quarantine-decision-link"
                  >
                    <code>{d.decisionId}</code>
                  </Link>
                ) : (
                  <code>{d.decisionId}</code>
                )}
              </dd>
            </dl>
          </section>
          <Reasons detail={d} />
          <Actions detail={d} recipient={search.recipient} />
          <section className="panel" aria-labelledby="quarantine-text">
            <h2 id="quarantine-text">{t('detail.text')}</h2>
            <p className="help">{t('detail.textHelp')}</p>
            {d.textPreview ? (
              <pre className="quarantine-preview" data-testid="quarantine-preview">
                {d.textPreview}
              </pre>
            ) : (
              <p>{t('detail.noText')}</p>
            )}
          </section>
          <section className="panel" aria-labelledby="quarantine-headers">
            <h2 id="quarantine-headers">{t('detail.headers')}</h2>
            <div className="table-wrap">
              <table className="quarantine-headers" data-testid="quarantine-headers">
                <caption className="visually-hidden">{t('detail.headersCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('detail.headerName')}</th>
                    <th scope="col">{t('detail.headerValue')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.headers.map((h, index) => (
                    // Headers repeat (Received): their place is part of their identity.
                    // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed for this mail
                    <tr key={`${index}:${h.name}`}>
                      <th scope="row" className="mono">
                        {h.name}
                      </th>
                      <td className="mono quarantine-break">{h.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </section>
  );
}

function Reasons({ detail }: { readonly detail: QuarantineDetail }) {
  const { t, i18n } = useTranslation('quarantine');
  const reasons = detail.reasons.map((r) => ({ signal: r.signal, text: pick(r, i18n.language) }));
  return (
    <section className="panel" aria-labelledby="quarantine-reasons">
      <h2 id="quarantine-reasons">{t('detail.reasons')}</h2>
      {reasons.length === 0 ? (
        <p>{t('detail.noReasons')}</p>
      ) : (
        <ul className="quarantine-reasons" data-testid="quarantine-reasons">
          {reasons.map((r, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the reasons are fixed for this mail
            <li key={index}>
              {r.text}
              <code className="quarantine-signal">{r.signal}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Actions({ detail, recipient }: { readonly detail: QuarantineDetail; readonly recipient?: string }) {
  const { t } = useTranslation('quarantine');
  const { can } = useSession();
  const mayRelease = can(CAN_RELEASE) && detail.status === 'quarantined';
  const mayAppeal = can(CAN_APPEAL) && detail.status === 'quarantined' && !detail.appeal;
  // Kept here: once released, the refreshed mail offers no release, but the answer stays on the page.
  const [released, setReleased] = useState<ReleaseResult | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [appealed, setAppealed] = useState<AppealResult | null>(null);
  // An open appeal waits for its case: the server refuses to delete the mail under it.
  const mayDelete = can(CAN_DELETE) && detail.status === 'quarantined' && detail.appeal?.status !== 'open';
  if (!mayRelease && !mayAppeal && !mayDelete && !detail.appeal && !released && !deleted) return null;
  return (
    <section className="panel" aria-labelledby="quarantine-actions">
      <h2 id="quarantine-actions">{t('detail.actions')}</h2>
      {released ? (
        <p className="notice notice-ok" role="status" data-testid="quarantine-released">
          {t('release.done', { recipients: released.releasedTo.join(', ') })}
        </p>
      ) : null}
      {mayRelease ? <Release detail={detail} recipient={recipient} onReleased={setReleased} /> : null}
      {appealed ? (
        <AppealShown caseId={appealed.caseId} status="open" fresh />
      ) : detail.appeal ? (
        <AppealShown caseId={detail.appeal.caseId} status={detail.appeal.status} />
      ) : mayAppeal ? (
        <Appeal detail={detail} onAppealed={setAppealed} />
      ) : null}
      {deleted ? (
        <p className="notice notice-ok" role="status" data-testid="quarantine-deleted">
          {t('delete.done')}
        </p>
      ) : null}
      {mayDelete ? <Delete detail={detail} onDeleted={() => setDeleted(true)} /> : null}
    </section>
  );
}

function Delete({
  detail,
  onDeleted,
}: {
  readonly detail: QuarantineDetail;
  readonly onDeleted: () => void;
}) {
  const { t } = useTranslation('quarantine');
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () =>
      api<{ id: string; status: 'deleted' }>(`/v1/mail/quarantine/${encodeURIComponent(detail.id)}/delete`, {
        method: 'POST',
      }),
    onSuccess: onDeleted,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: QUARANTINE_QUERY }),
  });
  return (
    <div className="quarantine-delete" data-testid="quarantine-delete">
      <h3>{t('delete.title')}</h3>
      <p className="help">{t('delete.help')}</p>
      <div className="actions-row">
        <ConfirmButton
          label={t('delete.button')}
          question={t('delete.question')}
          confirmLabel={t('delete.confirm')}
          busy={remove.isPending}
          className="button button-danger"
          onConfirm={() => remove.mutate()}
        />
      </div>
      <ErrorNotice error={remove.error} />
    </div>
  );
}

function Release({
  detail,
  recipient,
  onReleased,
}: {
  readonly detail: QuarantineDetail;
  readonly recipient?: string;
  readonly onReleased: (result: ReleaseResult) => void;
}) {
  const { t } = useTranslation('quarantine');
  const queryClient = useQueryClient();
  const several = detail.recipients.length > 1;
  // From a recipient's view, release to that recipient only; otherwise to every recipient (chosen below).
  const initial = recipient && detail.recipients.includes(recipient) ? [recipient] : [...detail.recipients];
  const [chosen, setChosen] = useState<readonly string[]>(initial);
  const groupId = useId();
  const release = useMutation({
    mutationFn: () =>
      api<ReleaseResult>(`/v1/mail/quarantine/${encodeURIComponent(detail.id)}/release`, {
        method: 'POST',
        body: several && chosen.length < detail.recipients.length ? { recipients: chosen } : {},
      }),
    onSuccess: onReleased,
    onSettled: () => void queryClient.invalidateQueries({ queryKey: QUARANTINE_QUERY }),
  });
  return (
    <div className="quarantine-release" data-testid="quarantine-release">
      <h3>{t('release.title')}</h3>
      <p className="help">{t('release.help')}</p>
      {several ? (
        <fieldset className="quarantine-release-to" aria-describedby={groupId}>
          <legend>{t('release.to')}</legend>
          <p id={groupId} className="help">
            {t('release.toHelp')}
          </p>
          {detail.recipients.map((address) => (
            <label key={address} className="quarantine-check">
              <input
                type="checkbox"
                checked={chosen.includes(address)}
                onChange={(e) =>
                  setChosen((prev) =>
                    e.target.checked ? [...prev, address] : prev.filter((a) => a !== address),
                  )
                }
              />
              <span className="quarantine-break">{address}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
      <div className="actions-row">
        <ConfirmButton
          label={t('release.button')}
          question={t('release.question', { recipients: chosen.join(', ') })}
          confirmLabel={t('release.confirm')}
          busy={release.isPending || chosen.length === 0}
          className="button button-primary"
          onConfirm={() => release.mutate()}
        />
      </div>
      {release.isPending ? <p aria-busy="true">{t('release.sending')}</p> : null}
      {release.error ? (
        <div data-testid="quarantine-release-error">
          <ErrorNotice error={release.error} />
          {/* A 409 means someone else released it first: the refreshed page says so, not "kept". */}
          {release.error instanceof ApiError && release.error.status === 409 ? null : (
            <p className="help">{t('release.failedKept')}</p>
          )}
        </div>
      ) : null}
    </div>
  );
}

function Appeal({
  detail,
  onAppealed,
}: {
  readonly detail: QuarantineDetail;
  readonly onAppealed: (result: AppealResult) => void;
}) {
  const { t } = useTranslation('quarantine');
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const helpId = useId();
  const appeal = useMutation({
    mutationFn: (text: string) =>
      api<AppealResult>(`/v1/mail/quarantine/${encodeURIComponent(detail.id)}/appeal`, {
        method: 'POST',
        body: { reason: text },
      }),
    onSuccess: (result) => {
      onAppealed(result);
      void queryClient.invalidateQueries({ queryKey: QUARANTINE_QUERY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (reason.trim()) appeal.mutate(reason.trim());
  };
  const missing = touched && !reason.trim();
  return (
    <form className="quarantine-appeal" onSubmit={submit} data-testid="quarantine-appeal" noValidate>
      <h3>{t('appeal.title')}</h3>
      <p className="help" id={helpId}>
        {t('appeal.help')}
      </p>
      <div className="field">
        <label htmlFor="quarantine-appeal-reason">{t('appeal.reason')}</label>
        <textarea
          id="quarantine-appeal-reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          rows={3}
          maxLength={2000}
          required
          aria-invalid={missing}
          aria-describedby={helpId}
        />
        {missing ? (
          <p className="notice notice-error" role="alert">
            {t('appeal.reasonMissing')}
          </p>
        ) : null}
      </div>
      <div className="actions-row">
        <button type="submit" className="button" disabled={appeal.isPending}>
          {appeal.isPending ? t('common:common.loading') : t('appeal.button')}
        </button>
      </div>
      <ErrorNotice error={appeal.error} />
    </form>
  );
}

function AppealShown({
  caseId,
  status,
  fresh = false,
}: {
  readonly caseId: string;
  readonly status: string;
  readonly fresh?: boolean;
}) {
  const { t } = useTranslation('quarantine');
  const { can } = useSession();
  return (
    <div
      className={fresh ? 'notice notice-ok' : 'notice notice-info'}
      role="status"
      data-testid="quarantine-appealed"
    >
      <p>
        {fresh
          ? t('appeal.done')
          : t('appeal.already', { status: t(`appeal.status.${status}`, { defaultValue: status }) })}
      </p>
      {can('cases:read') ? (
        <Link to="/cases/$caseId" params={{ caseId }} search={{}} data-testid="quarantine-case-link">
          {t('appeal.openCase')}
        </Link>
      ) : (
        <code>{caseId}</code>
      )}
    </div>
  );
}
