import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ActionBadge } from '../../ui/ActionBadge.tsx';
import { useChannelCatalogue } from '../../ui/channels.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatTime } from '../../ui/format.ts';
import { CURSOR_PAGING, LoadMore } from '../../ui/paging.tsx';
import { CASE_ACTIONS, type Case, type CaseStatus, WAITING } from './model.ts';
import { AgeText, AssigneeText, ChannelName, DueText, StatusText } from './parts.tsx';
import { type QueueSearch, STATUS_FILTERS, type StatusFilter } from './search.ts';
import './cases.css';

const PAGE_SIZE = 50;
export const CASES_QUERY = ['cases'] as const;

function statusQuery(filter: StatusFilter): readonly CaseStatus[] | CaseStatus | undefined {
  if (filter === 'waiting') return WAITING;
  if (filter === 'all') return undefined;
  return filter;
}

/** Typing in a field is never a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT'
  );
}

/** The case queue (`/cases`): one queue across channels, filters in the URL, keyboard shortcuts. */
export function CaseQueue() {
  const { can } = useSession();
  if (!can('cases:read')) return <Forbidden />;
  return <Queue />;
}

function Queue() {
  const { t, i18n } = useTranslation('cases');
  const { me, can } = useSession();
  const search = useSearch({ from: '/cases' }) as QueueSearch;
  const navigate = useNavigate({ from: '/cases' });
  const queryClient = useQueryClient();
  const channels = useChannelCatalogue();
  const status = search.status ?? 'waiting';
  const order = search.order ?? 'due';

  const query = {
    status: statusQuery(status),
    channel: search.channel,
    action: search.action,
    origin: search.origin,
    assignee: search.assignee,
    overdue: search.overdue ? true : undefined,
    order,
    limit: PAGE_SIZE,
  };
  const list = useInfiniteQuery({
    queryKey: [...CASES_QUERY, 'list', query],
    queryFn: ({ pageParam, signal }) =>
      api<Page<Case>>('/v1/cases', { query: { ...query, cursor: pageParam }, signal }),
    ...CURSOR_PAGING,
  });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const [selected, setSelected] = useState(-1);
  const [announcement, setAnnouncement] = useState('');
  const [helpOpen, setHelpOpen] = useState(false);
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  const now = Date.now();

  // A new filter starts the selection over.
  const filterKey = JSON.stringify(query);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the filter changes
  useEffect(() => setSelected(-1), [filterKey]);

  const assign = useMutation({
    mutationFn: (item: Case) =>
      api<Case>(`/v1/cases/${encodeURIComponent(item.id)}/assign`, {
        method: 'POST',
        body: { assignee: me.keyId },
      }),
    onSuccess: (updated) => {
      setAnnouncement(t('queue.assignedToMe', { summary: pick(updated.summary.summary, i18n.language) }));
      void queryClient.invalidateQueries({ queryKey: CASES_QUERY });
    },
    onError: () => setAnnouncement(t('queue.assignFailed')),
  });

  const setFilter = useCallback(
    (patch: Partial<QueueSearch>) =>
      void navigate({ search: (prev: QueueSearch) => ({ ...prev, ...patch }), replace: true }),
    [navigate],
  );

  const select = useCallback(
    (index: number) => {
      const item = items[index];
      if (!item) return;
      setSelected(index);
      rows.current[index]?.scrollIntoView({ block: 'nearest' });
      setAnnouncement(
        t('queue.selected', {
          position: index + 1,
          total: items.length,
          summary: pick(item.summary.summary, i18n.language),
        }),
      );
    },
    [items, t, i18n.language],
  );

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isTyping(event.target)) return;
      const item = items[selected];
      switch (event.key) {
        case 'j':
          select(Math.min(selected + 1, items.length - 1));
          break;
        case 'k':
          select(Math.max(selected - 1, 0));
          break;
        case 'Enter':
        case 'o':
          // Enter on a link or button does what it says; on the page it opens the selected case.
          if (
            event.key === 'Enter' &&
            event.target instanceof HTMLElement &&
            event.target.closest('a,button')
          )
            return;
          if (!item) return;
          void navigate({ to: '/cases/$caseId', params: { caseId: item.id }, search: {} });
          break;
        case 'a':
          if (!item || !can('cases:assign')) return;
          assign.mutate(item);
          break;
        case 'r':
          if (!item || !can('cases:resolve')) return;
          void navigate({ to: '/cases/$caseId', params: { caseId: item.id }, search: { resolve: true } });
          break;
        case '?':
          setHelpOpen((open) => !open);
          break;
        case 'Escape':
          if (!helpOpen) return;
          setHelpOpen(false);
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [items, selected, select, navigate, can, assign, helpOpen]);

  return (
    <section className="page cases-queue-page" aria-labelledby="cases-title">
      <h1 id="cases-title">{t('queue.title')}</h1>
      <Filters
        search={search}
        onChange={setFilter}
        channelNames={channels.data?.map((c) => c.name)}
        channelTitle={(name) => {
          const title = channels.data?.find((c) => c.name === name)?.title;
          return title ? pick(title, i18n.language) : name;
        }}
      />
      <Shortcuts open={helpOpen} onToggle={() => setHelpOpen((open) => !open)} />
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
      {assign.error ? <ErrorNotice error={assign.error} /> : null}
      {list.isPending ? (
        <p aria-busy="true">{t('common:common.loading')}</p>
      ) : list.isError ? (
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="notice notice-info">{t('queue.empty')}</p>
      ) : (
        <>
          <p className="help">{t('queue.count', { count: items.length })}</p>
          <div className="table-wrap">
            <table data-testid="case-queue" className="cases-table cards">
              <caption className="visually-hidden">{t('queue.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.due')}</th>
                  <th scope="col">{t('common:common.channel')}</th>
                  <th scope="col">{t('common:common.action')}</th>
                  <th scope="col">{t('field.summary')}</th>
                  <th scope="col">{t('field.origin')}</th>
                  <th scope="col">{t('field.assignee')}</th>
                  <th scope="col">{t('field.status')}</th>
                  <th scope="col">{t('field.age')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item, index) => (
                  <tr
                    key={item.id}
                    ref={(el) => {
                      rows.current[index] = el;
                    }}
                    data-testid="case-row"
                    data-case-id={item.id}
                    className={index === selected ? 'selected' : undefined}
                    aria-selected={index === selected}
                    onClick={() => setSelected(index)}
                  >
                    <td className="cases-due" data-label={t('field.due')}>
                      <DueText item={item} now={now} />
                    </td>
                    <td data-label={t('common:common.channel')}>
                      <ChannelName name={item.channel} />
                    </td>
                    <td data-label={t('common:common.action')}>
                      <ActionBadge action={item.action} />
                    </td>
                    <td className="cases-summary" data-label={t('field.summary')}>
                      <Link to="/cases/$caseId" params={{ caseId: item.id }} search={{}}>
                        {pick(item.summary.summary, i18n.language)}
                      </Link>
                    </td>
                    <td className="mono" data-label={t('field.origin')}>
                      {item.origin ?? '—'}
                    </td>
                    <td data-label={t('field.assignee')}>
                      <AssigneeText assignee={item.assignee} />
                    </td>
                    <td data-label={t('field.status')}>
                      <StatusText status={item.status} />
                    </td>
                    <td className="num" data-label={t('field.age')}>
                      <AgeText createdAt={item.createdAt} now={now} />
                      <span className="visually-hidden">{formatTime(item.createdAt, i18n.language)}</span>
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
  channelNames,
  channelTitle,
}: {
  readonly search: QueueSearch;
  readonly onChange: (patch: Partial<QueueSearch>) => void;
  readonly channelNames: readonly string[] | undefined;
  /** The channel's title from the catalogue, in the page's language. */
  readonly channelTitle: (name: string) => string;
}) {
  const { t } = useTranslation('cases');
  const { me } = useSession();
  const [origin, setOrigin] = useState(search.origin ?? '');
  const [assignee, setAssignee] = useState(search.assignee ?? '');
  const [channel, setChannel] = useState(search.channel ?? '');
  useEffect(() => setOrigin(search.origin ?? ''), [search.origin]);
  useEffect(() => setAssignee(search.assignee ?? ''), [search.assignee]);
  useEffect(() => setChannel(search.channel ?? ''), [search.channel]);
  const mine = search.assignee === me.keyId;

  function submit(event: FormEvent) {
    event.preventDefault();
    onChange({
      origin: origin.trim() || undefined,
      assignee: assignee.trim() || undefined,
      channel: channel.trim() || undefined,
    });
  }

  return (
    <form className="filters cases-filters" onSubmit={submit} aria-label={t('filter.label')}>
      <div className="field">
        <label htmlFor="cases-status">{t('field.status')}</label>
        <select
          id="cases-status"
          value={search.status ?? 'waiting'}
          onChange={(e) =>
            onChange({ status: e.target.value === 'waiting' ? undefined : (e.target.value as never) })
          }
        >
          {STATUS_FILTERS.map((s) => (
            <option key={s} value={s}>
              {t(`filter.status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cases-channel">{t('common:common.channel')}</label>
        {channelNames && channelNames.length > 0 ? (
          <select
            id="cases-channel"
            value={search.channel ?? ''}
            onChange={(e) => onChange({ channel: e.target.value || undefined })}
          >
            <option value="">{t('common:common.all')}</option>
            {channelNames.map((name) => (
              <option key={name} value={name}>
                {channelTitle(name)}
              </option>
            ))}
          </select>
        ) : (
          <input id="cases-channel" value={channel} onChange={(e) => setChannel(e.target.value)} size={10} />
        )}
      </div>
      <div className="field">
        <label htmlFor="cases-action">{t('common:common.action')}</label>
        <select
          id="cases-action"
          value={search.action ?? ''}
          onChange={(e) => onChange({ action: (e.target.value || undefined) as QueueSearch['action'] })}
        >
          <option value="">{t('common:common.all')}</option>
          {CASE_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {t(`common:action.${a}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="cases-origin">{t('field.origin')}</label>
        <input
          id="cases-origin"
          value={origin}
          onChange={(e) => setOrigin(e.target.value)}
          placeholder={t('filter.originPlaceholder')}
          size={16}
          aria-describedby="cases-origin-help"
        />
        <span id="cases-origin-help" className="visually-hidden">
          {t('filter.originHelp')}
        </span>
      </div>
      <div className="field">
        <label htmlFor="cases-assignee">{t('field.assignee')}</label>
        <input id="cases-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)} size={16} />
      </div>
      <div className="field">
        <label htmlFor="cases-order">{t('filter.order')}</label>
        <select
          id="cases-order"
          value={search.order ?? 'due'}
          onChange={(e) => onChange({ order: e.target.value === 'newest' ? 'newest' : undefined })}
        >
          <option value="due">{t('filter.orderDue')}</option>
          <option value="newest">{t('filter.orderNewest')}</option>
        </select>
      </div>
      <div className="cases-checks">
        <label className="cases-check">
          <input
            type="checkbox"
            checked={search.overdue === true}
            onChange={(e) => onChange({ overdue: e.target.checked ? true : undefined })}
          />
          {t('filter.overdue')}
        </label>
        <label className="cases-check">
          <input
            type="checkbox"
            checked={mine}
            onChange={(e) => onChange({ assignee: e.target.checked ? me.keyId : undefined })}
          />
          {t('filter.mine')}
        </label>
      </div>
      <div className="actions-row">
        <button type="submit" className="button button-primary">
          {t('common:common.search')}
        </button>
        <button
          type="button"
          className="button button-quiet"
          onClick={() =>
            onChange({
              status: undefined,
              channel: undefined,
              action: undefined,
              origin: undefined,
              assignee: undefined,
              overdue: undefined,
              order: undefined,
            })
          }
        >
          {t('common:common.clear')}
        </button>
      </div>
    </form>
  );
}

const SHORTCUTS = ['jk', 'open', 'assign', 'resolve', 'help'] as const;

function Shortcuts({ open, onToggle }: { readonly open: boolean; readonly onToggle: () => void }) {
  const { t } = useTranslation('cases');
  const { can } = useSession();
  const shown = SHORTCUTS.filter(
    (s) => (s !== 'assign' || can('cases:assign')) && (s !== 'resolve' || can('cases:resolve')),
  );
  return (
    <div className="cases-shortcuts">
      <p className="help">
        {t('shortcuts.intro')}{' '}
        {shown.map((s) => `${t(`shortcuts.${s}.keys`)} ${t(`shortcuts.${s}.what`)}`).join(' · ')}{' '}
        <button
          type="button"
          className="button button-quiet cases-shortcuts-toggle"
          aria-expanded={open}
          aria-controls="cases-shortcuts-list"
          onClick={onToggle}
        >
          {open ? t('shortcuts.hide') : t('shortcuts.show')}
        </button>
      </p>
      <div id="cases-shortcuts-list" hidden={!open} className="panel">
        <h2 className="cases-shortcuts-title">{t('shortcuts.title')}</h2>
        <dl className="facts">
          {shown.map((s) => (
            <div key={s} className="cases-shortcut">
              <dt>
                <kbd>{t(`shortcuts.${s}.keys`)}</kbd>
              </dt>
              <dd>{t(`shortcuts.${s}.what`)}</dd>
            </div>
          ))}
        </dl>
        <p className="help">{t('shortcuts.typing')}</p>
      </div>
    </div>
  );
}
