import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import type { Page } from '../../types.ts';
import { ConfirmButton } from '../../ui/ConfirmButton.tsx';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { formatTime } from '../../ui/format.ts';
import { CURSOR_PAGING, LoadMore } from '../../ui/paging.tsx';
import type { Indicator, IndicatorSearch } from './model.ts';

const PAGE_SIZE = 50;

export const INDICATORS_QUERY = ['indicators'] as const;

function isExpired(indicator: Indicator, now: number): boolean {
  return indicator.expiresAt !== null && Date.parse(indicator.expiresAt) <= now;
}

/** The organisation's own indicators under the URL's filters, a page at a time (cursor paging). */
export function IndicatorTable({ search }: { readonly search: IndicatorSearch }) {
  const { t, i18n } = useTranslation('indicators');
  const { can } = useSession();
  const writable = can('indicators:write');
  const queryClient = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: [...INDICATORS_QUERY, search],
    queryFn: ({ pageParam, signal }) =>
      api<Page<Indicator>>('/v1/indicators', {
        query: { ...search, limit: PAGE_SIZE, cursor: pageParam },
        signal,
      }),
    ...CURSOR_PAGING,
  });
  const expire = useMutation({
    mutationFn: (id: string) =>
      api<Indicator>(`/v1/indicators/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        body: { expiresAt: new Date().toISOString() },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: INDICATORS_QUERY }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>(`/v1/indicators/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: INDICATORS_QUERY }),
  });
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];
  const now = Date.now();
  const language = i18n.language;
  return (
    <>
      <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
      <ErrorNotice error={expire.error ?? remove.error} />
      {expire.isSuccess ? (
        <p className="notice notice-ok" role="status">
          {t('list.expired', { value: expire.data.value })}
        </p>
      ) : null}
      <div className="table-wrap">
        <table data-testid="indicator-table" aria-busy={list.isFetching}>
          <caption className="visually-hidden">{t('list.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('field.type')}</th>
              <th scope="col">{t('field.value')}</th>
              <th scope="col">{t('field.verdict')}</th>
              <th scope="col">{t('field.scope')}</th>
              <th scope="col">{t('field.source')}</th>
              <th scope="col">{t('list.seen')}</th>
              <th scope="col">{t('field.expiresAt')}</th>
              {writable ? <th scope="col">{t('list.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((indicator) => {
              const expired = isExpired(indicator, now);
              return (
                <tr key={indicator.id} className={expired ? 'indicators-expired' : undefined}>
                  <td className="indicators-type">{t(`type.${indicator.type}`)}</td>
                  <th scope="row" className="indicators-value">
                    <span className="mono">{indicator.value}</span>
                    {indicator.hashed ? (
                      <span className="badge indicators-hashed" title={t('list.hashedHelp')}>
                        {t('list.hashed')}
                      </span>
                    ) : null}
                    {indicator.tags.length > 0 ? (
                      <span className="indicators-tags">{indicator.tags.join(', ')}</span>
                    ) : null}
                  </th>
                  <td>
                    <span className={`badge indicators-verdict-${indicator.verdict}`}>
                      {t(`verdict.${indicator.verdict}`)}
                    </span>
                    <span className="indicators-confidence">
                      {t('list.confidence', { value: indicator.confidence })}
                    </span>
                  </td>
                  <td>
                    <span className="indicators-scope">{t(`scope.${indicator.scope}`)}</span>
                    <span className="help">{t(`scopeHelp.${indicator.scope}`)}</span>
                  </td>
                  <td>{indicator.source}</td>
                  <td className="indicators-dates">
                    <span>{t('list.firstSeen', { time: formatTime(indicator.firstSeen, language) })}</span>
                    <span>{t('list.lastSeen', { time: formatTime(indicator.lastSeen, language) })}</span>
                  </td>
                  <td>
                    {indicator.expiresAt === null
                      ? t('list.never')
                      : expired
                        ? t('list.expiredAt', { time: formatTime(indicator.expiresAt, language) })
                        : formatTime(indicator.expiresAt, language)}
                  </td>
                  {writable ? (
                    <td>
                      <div className="indicators-row-actions">
                        {expired ? null : (
                          <ConfirmButton
                            label={t('list.expireNow')}
                            question={t('list.expireQuestion', { value: indicator.value })}
                            confirmLabel={t('list.expireConfirm')}
                            busy={expire.isPending}
                            onConfirm={() => expire.mutate(indicator.id)}
                          />
                        )}
                        <ConfirmButton
                          label={t('list.delete')}
                          question={t('list.deleteQuestion', { value: indicator.value })}
                          confirmLabel={t('list.deleteConfirm')}
                          busy={remove.isPending}
                          className="button button-quiet"
                          onConfirm={() => remove.mutate(indicator.id)}
                        />
                      </div>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {list.isPending ? (
        <p aria-live="polite">{t('common:common.loading')}</p>
      ) : rows.length === 0 && !list.isError ? (
        <p>{t('list.empty')}</p>
      ) : null}
      <LoadMore list={list} />
      <p className="help" aria-live="polite">
        {t('list.count', { count: rows.length })}
      </p>
    </>
  );
}
