/**
 * The quarantine list (issue 11 item 4, E4): every quarantined mail for the
 * operator, newest first, or one recipient's (`?recipient=`) with their
 * strength level. Filters live in the URL; pages come by cursor.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { CURSOR_PAGING, LoadMore } from '../../ui/paging.tsx';
import {
  CAN_READ,
  CAN_READ_STRENGTH,
  QUARANTINE_STATUSES,
  type QuarantineItem,
  type QuarantineSearch,
  type QuarantineStatus,
} from './model.ts';
import { StatusBadge } from './parts.tsx';
import { StrengthPanel } from './StrengthPanel.tsx';
import './quarantine.css';

const PAGE_SIZE = 50;
export const QUARANTINE_QUERY = ['mail-quarantine'] as const;

export function QuarantineList() {
  const { can } = useSession();
  if (!can(CAN_READ)) return <Forbidden />;
  return <List />;
}

function List() {
  const { t, i18n } = useTranslation('quarantine');
  const { can } = useSession();
  const search = useSearch({ from: '/quarantine' }) as QuarantineSearch;
  const navigate = useNavigate({ from: '/quarantine' });
  const status = search.status ?? 'quarantined';
  const query = { recipient: search.recipient, status, limit: PAGE_SIZE };
  const list = useInfiniteQuery({
    queryKey: [...QUARANTINE_QUERY, 'list', query],
    queryFn: ({ pageParam, signal }) =>
      api<Page<QuarantineItem>>('/v1/mail/quarantine', { query: { ...query, cursor: pageParam }, signal }),
    ...CURSOR_PAGING,
  });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const setFilter = (patch: Partial<QuarantineSearch>) =>
    void navigate({ search: (prev: QuarantineSearch) => ({ ...prev, ...patch }), replace: true });

  return (
    <section className="page quarantine-page" aria-labelledby="quarantine-title">
      <h1 id="quarantine-title" data-testid="quarantine-title">
        {search.recipient ? t('list.recipientTitle', { recipient: search.recipient }) : t('list.title')}
      </h1>
      <p className="help">{search.recipient ? t('list.recipientIntro') : t('list.intro')}</p>
      {search.recipient ? (
        <p>
          <Link to="/quarantine" search={search.status ? { status: search.status } : {}}>
            {t('list.allRecipients')}
          </Link>
        </p>
      ) : null}
      <Filters search={search} onChange={setFilter} />
      {search.recipient && can(CAN_READ_STRENGTH) ? <StrengthPanel recipient={search.recipient} /> : null}
      <h2 className="quarantine-list-heading">{t('list.mails')}</h2>
      {list.isPending ? (
        <p aria-busy="true">{t('common:common.loading')}</p>
      ) : list.isError ? (
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="notice notice-info" data-testid="quarantine-empty">
          {t(`list.empty.${status}`)}
        </p>
      ) : (
        <>
          <p className="help">{t('list.count', { count: items.length })}</p>
          <div className="table-wrap">
            <table data-testid="quarantine-table" className="quarantine-table cards">
              <caption className="visually-hidden">{t('list.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.receivedAt')}</th>
                  <th scope="col">{t('field.from')}</th>
                  <th scope="col">{t('field.subject')}</th>
                  <th scope="col">{t('field.recipients')}</th>
                  <th scope="col">{t('field.score')}</th>
                  <th scope="col">{t('field.summary')}</th>
                  <th scope="col">{t('field.status')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id} data-testid="quarantine-row" data-quarantine-id={item.id}>
                    <td className="quarantine-nowrap" data-label={t('field.receivedAt')}>
                      {formatTime(item.receivedAt, i18n.language)}
                    </td>
                    <td className="quarantine-break" data-label={t('field.from')}>
                      {item.from ?? t('field.noFrom')}
                    </td>
                    <td className="quarantine-subject" data-label={t('field.subject')}>
                      <Link
                        to="/quarantine/$id"
                        params={{ id: item.id }}
                        search={search.recipient ? { recipient: search.recipient } : {}}
                        data-testid="quarantine-open"
                      >
                        {item.subject.trim() || t('field.noSubject')}
                      </Link>
                    </td>
                    <td className="quarantine-break" data-label={t('field.recipients')}>
                      {item.recipients.join(', ')}
                    </td>
                    <td className="num" data-label={t('field.score')}>
                      {formatNumber(item.score, i18n.language, 1)}
                    </td>
                    <td data-label={t('field.summary')}>{pick(item.summary, i18n.language)}</td>
                    <td data-label={t('field.status')}>
                      <StatusBadge status={item.status} />
                      {item.appeal ? (
                        <span className="quarantine-appealed">
                          {t('appeal.badge', {
                            status: t(`appeal.status.${item.appeal.status}`, {
                              defaultValue: item.appeal.status,
                            }),
                          })}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore list={list} />
        </>
      )}
    </section>
  );
}

function Filters({
  search,
  onChange,
}: {
  readonly search: QuarantineSearch;
  readonly onChange: (patch: Partial<QuarantineSearch>) => void;
}) {
  const { t } = useTranslation('quarantine');
  const [recipient, setRecipient] = useState(search.recipient ?? '');
  useEffect(() => setRecipient(search.recipient ?? ''), [search.recipient]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ recipient: recipient.trim() || undefined });
  };
  return (
    // noValidate: the browser's own bubble is not in our catalogues; the API says what it refuses.
    <form className="filters quarantine-filters" onSubmit={submit} aria-label={t('filter.label')} noValidate>
      <div className="field">
        <label htmlFor="quarantine-recipient">{t('field.recipient')}</label>
        <input
          id="quarantine-recipient"
          type="email"
          value={recipient}
          onChange={(e) => setRecipient(e.target.value)}
          placeholder={t('filter.recipientPlaceholder')}
          size={28}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor="quarantine-status">{t('field.status')}</label>
        <select
          id="quarantine-status"
          value={search.status ?? 'quarantined'}
          onChange={(e) => {
            const value = e.target.value as QuarantineStatus;
            onChange({ status: value === 'quarantined' ? undefined : value });
          }}
        >
          {QUARANTINE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="actions-row">
        <button type="submit" className="button button-primary">
          {t('common:common.search')}
        </button>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => onChange({ recipient: undefined, status: undefined })}
        >
          {t('common:common.clear')}
        </button>
      </div>
    </form>
  );
}
