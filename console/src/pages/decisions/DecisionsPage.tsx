import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { ACTIONS, type Page } from '../../types.ts';
import { ActionBadge } from '../../ui/ActionBadge.tsx';
import { useChannelCatalogue } from '../../ui/channels.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatNumber, formatTime } from '../../ui/format.ts';
import { CURSOR_PAGING, LoadMore } from '../../ui/paging.tsx';
import type { Decision } from './decision.ts';
import {
  type DecisionSearch,
  fromLocalInput,
  INDICATOR_TYPES,
  parseDecisionSearch,
  toLocalInput,
} from './search.ts';
import './decisions.css';

const PAGE_SIZE = 50;

/** The filter form's fields, as typed (times in the browser's zone until submitted). */
interface Draft {
  from: string;
  to: string;
  channel: string;
  action: string;
  signal: string;
  indicator: string;
  indicatorType: string;
}

function draftOf(search: DecisionSearch): Draft {
  return {
    from: toLocalInput(search.from),
    to: toLocalInput(search.to),
    channel: search.channel ?? '',
    action: search.action ?? '',
    signal: search.signal ?? '',
    indicator: search.indicator ?? '',
    indicatorType: search.indicatorType ?? '',
  };
}

export function DecisionsPage() {
  const { can } = useSession();
  if (!can('decisions:read')) return <Forbidden />;
  return <Explorer />;
}

function Explorer() {
  const { t, i18n } = useTranslation('decisions');
  const language = i18n.language;
  const search = useSearch({ from: '/decisions' });
  const navigate = useNavigate({ from: '/decisions' });
  const catalogue = useChannelCatalogue();
  /** A channel by its catalogue title in the page's language, else its name. */
  const channelTitle = (name: string) => {
    const title = catalogue.data?.find((c) => c.name === name)?.title;
    return title ? pick(title, language) : name;
  };
  const [draft, setDraft] = useState<Draft>(() => draftOf(search));
  useEffect(() => setDraft(draftOf(search)), [search]);
  const ids = useId();
  const id = (name: string) => `${ids}-${name}`;

  const signals = useMemo(() => {
    const channels = catalogue.data ?? [];
    const chosen = draft.channel ? channels.filter((c) => c.name === draft.channel) : channels;
    const seen = new Map<string, string>();
    for (const channel of chosen)
      for (const signal of channel.signals)
        if (!seen.has(signal.name)) seen.set(signal.name, pick(signal.description, language));
    return [...seen].sort(([a], [b]) => a.localeCompare(b));
  }, [catalogue.data, draft.channel, language]);

  const list = useInfiniteQuery({
    queryKey: ['decisions', search],
    queryFn: ({ pageParam, signal }) =>
      api<Page<Decision>>('/v1/decisions', {
        query: { ...search, limit: PAGE_SIZE, cursor: pageParam },
        signal,
      }),
    ...CURSOR_PAGING,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = parseDecisionSearch({
      ...draft,
      from: fromLocalInput(draft.from),
      to: fromLocalInput(draft.to),
    });
    void navigate({ search: next });
  };
  const clear = () => void navigate({ search: {} });
  const set = (name: keyof Draft) => (event: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [name]: event.target.value }));

  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(search).length > 0;

  return (
    <section className="page decisions-page" aria-labelledby="decisions-title">
      <h1 id="decisions-title">{t('title')}</h1>
      <p className="help">{t('intro')}</p>
      <form className="panel filters decisions-filters" onSubmit={submit} aria-label={t('filters')}>
        <div className="field">
          <label htmlFor={id('from')}>{t('from')}</label>
          <input id={id('from')} type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor={id('to')}>{t('to')}</label>
          <input id={id('to')} type="datetime-local" value={draft.to} onChange={set('to')} />
        </div>
        <div className="field">
          <label htmlFor={id('channel')}>{t('common:common.channel')}</label>
          <select id={id('channel')} value={draft.channel} onChange={set('channel')}>
            <option value="">{t('common:common.all')}</option>
            {(catalogue.data ?? []).map((c) => (
              <option key={c.name} value={c.name}>
                {pick(c.title, language)}
              </option>
            ))}
            {draft.channel && !catalogue.data?.some((c) => c.name === draft.channel) ? (
              <option value={draft.channel}>{draft.channel}</option>
            ) : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('action')}>{t('common:common.action')}</label>
          <select id={id('action')} value={draft.action} onChange={set('action')}>
            <option value="">{t('common:common.all')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`common:action.${a}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field decisions-signal">
          <label htmlFor={id('signal')}>{t('signal')}</label>
          <input
            id={id('signal')}
            list={id('signals')}
            value={draft.signal}
            onChange={set('signal')}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={id('signal-help')}
          />
          <datalist id={id('signals')}>
            {signals.map(([name, description]) => (
              <option key={name} value={name}>
                {description}
              </option>
            ))}
          </datalist>
          <span id={id('signal-help')} className="help">
            {t('signalHelp')}
          </span>
        </div>
        <div className="field">
          <label htmlFor={id('indicator')}>{t('indicator')}</label>
          <input
            id={id('indicator')}
            value={draft.indicator}
            onChange={set('indicator')}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor={id('indicatorType')}>{t('indicatorType')}</label>
          <select id={id('indicatorType')} value={draft.indicatorType} onChange={set('indicatorType')}>
            <option value="">{t('anyType')}</option>
            {INDICATOR_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`type.${type}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="actions-row">
          <button type="submit" className="button button-primary">
            {t('common:common.search')}
          </button>
          {filtered ? (
            <button type="button" className="button" onClick={clear}>
              {t('common:common.clear')}
            </button>
          ) : null}
        </div>
      </form>

      <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? (
        <p aria-busy="true">{t('common:common.loading')}</p>
      ) : list.isError ? null : rows.length === 0 ? (
        <p className="notice notice-info">{filtered ? t('noneFiltered') : t('none')}</p>
      ) : (
        <>
          <p className="help" aria-live="polite">
            {t('shown', { count: rows.length })}
          </p>
          <div className="table-wrap">
            <table className="decisions-table cards" data-testid="decision-table">
              <caption className="visually-hidden">{t('tableCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('common:common.time')}</th>
                  <th scope="col">{t('common:common.channel')}</th>
                  <th scope="col">{t('common:common.action')}</th>
                  <th scope="col" className="num">
                    {t('common:common.score')}
                  </th>
                  <th scope="col">{t('topReasons')}</th>
                  <th scope="col">{t('id')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr
                    key={d.verdict.id}
                    data-testid="decision-row"
                    className="decisions-row"
                    onClick={(event) => {
                      // The id is the keyboard's link; a click anywhere else on the row opens it too.
                      if ((event.target as HTMLElement).closest('a, button')) return;
                      void navigate({ to: '/decisions/$decisionId', params: { decisionId: d.verdict.id } });
                    }}
                  >
                    <td className="decisions-time" data-label={t('common:common.time')}>
                      <time dateTime={d.verdict.createdAt}>{formatTime(d.verdict.createdAt, language)}</time>
                    </td>
                    <td data-label={t('common:common.channel')}>{channelTitle(d.verdict.channel)}</td>
                    <td data-label={t('common:common.action')}>
                      <ActionBadge action={d.verdict.action} />
                    </td>
                    <td className="num" data-label={t('common:common.score')}>
                      {formatNumber(d.verdict.score, language, 3)}
                    </td>
                    <td className="decisions-reasons" data-label={t('topReasons')}>
                      {(d.verdict.reasons ?? []).length === 0 ? (
                        <span className="help">{t('noReasons')}</span>
                      ) : (
                        <ul>
                          {(d.verdict.reasons ?? []).slice(0, 2).map((r, i) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: reasons never reorder
                            <li key={`${r.signal}:${i}`}>{pick(r, language)}</li>
                          ))}
                          {(d.verdict.reasons ?? []).length > 2 ? (
                            <li className="help">
                              {t('moreReasons', { count: (d.verdict.reasons ?? []).length - 2 })}
                            </li>
                          ) : null}
                        </ul>
                      )}
                    </td>
                    <td data-label={t('id')}>
                      <Link
                        to="/decisions/$decisionId"
                        params={{ decisionId: d.verdict.id }}
                        className="mono decisions-id"
                        aria-label={t('open', { id: d.verdict.id })}
                      >
                        {d.verdict.id}
                      </Link>
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
