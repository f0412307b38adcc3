import { useQueries } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api.ts';
import { pick } from '../../i18n/index.ts';
import { useSession } from '../../session.tsx';
import { useChannelCatalogue } from '../../ui/channels.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { formatTime } from '../../ui/format.ts';
import { type PolicyVersion, policyKey } from './queries.ts';
import './policies.css';

/**
 * Channels known before the catalogue route (`GET /v1/channels`) is served:
 * used only when the server answers that route with 404.
 */
const KNOWN_CHANNELS = ['contract', 'message'] as const;

/** `/policies`: each channel with the policy version it runs now. */
export function PolicyList() {
  const { can } = useSession();
  if (!can('policies:read')) return <Forbidden />;
  return <PolicyTable />;
}

function PolicyTable() {
  const { t, i18n } = useTranslation('policies');
  const catalogue = useChannelCatalogue();
  const missing = catalogue.error instanceof ApiError && catalogue.error.status === 404;
  const channels = catalogue.data
    ? catalogue.data.map((c) => ({ name: c.name, title: pick(c.title, i18n.language) }))
    : missing
      ? KNOWN_CHANNELS.map((name) => ({ name, title: name }))
      : [];
  const policies = useQueries({
    queries: channels.map((c) => ({
      queryKey: policyKey(c.name),
      queryFn: () => api<PolicyVersion>(`/v1/policies/${encodeURIComponent(c.name)}`),
    })),
  });
  return (
    <section className="page policies-page">
      <h1>{t('list.title')}</h1>
      <p className="help">{t('list.help')}</p>
      {catalogue.error && !missing ? (
        <ErrorNotice error={catalogue.error} onRetry={() => void catalogue.refetch()} />
      ) : null}
      {catalogue.isPending ? <p role="status">{t('common:common.loading')}</p> : null}
      {channels.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('list.channel')}</th>
                <th scope="col" className="num">
                  {t('list.version')}
                </th>
                <th scope="col">{t('list.by')}</th>
                <th scope="col">{t('list.at')}</th>
                <th scope="col">{t('list.comment')}</th>
              </tr>
            </thead>
            <tbody>
              {channels.map((c, i) => {
                const p = policies[i];
                const v = p?.data;
                return (
                  <tr key={c.name}>
                    <th scope="row">
                      <Link to="/policies/$channel" params={{ channel: c.name }}>
                        {c.title}
                      </Link>{' '}
                      <code className="help">{c.name}</code>
                    </th>
                    {p?.error ? (
                      <td colSpan={4}>
                        <ErrorNotice error={p.error} />
                      </td>
                    ) : !v ? (
                      <td colSpan={4}>{t('common:common.loading')}</td>
                    ) : (
                      <>
                        <td className="num">{v.version === 0 ? t('current.default') : v.version}</td>
                        <td className="mono">{v.version === 0 ? '—' : v.createdBy}</td>
                        <td>{v.version === 0 ? '—' : formatTime(v.createdAt, i18n.language)}</td>
                        <td>{v.comment ?? '—'}</td>
                      </>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
