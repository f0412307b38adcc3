import { createRoute, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { AddIndicator } from './AddIndicator.tsx';
import { Export } from './Export.tsx';
import { Filters } from './Filters.tsx';
import { ImportPanel } from './ImportPanel.tsx';
import { IndicatorTable } from './IndicatorTable.tsx';
import { type IndicatorSearch, indicatorSearch } from './model.ts';
import './indicators.css';

/**
 * Lists (C4 §5): the organisation's indicators — search, add, expire, import
 * a CSV/JSONL file with a progress bar and a per-line report, export; each
 * with its sharing scope. Writing needs `indicators:write`.
 */
function IndicatorsPage() {
  const { t } = useTranslation('indicators');
  const { can } = useSession();
  const search = indicatorsRoute.useSearch();
  const navigate = useNavigate({ from: '/indicators' });
  if (!can('indicators:read')) return <Forbidden />;
  const writable = can('indicators:write');
  const onSearch = (next: IndicatorSearch) => void navigate({ search: next });
  return (
    <section className="page indicators" aria-labelledby="ind-title">
      <h1 id="ind-title">{t('title')}</h1>
      <p className="help">{t('lead')}</p>
      <details className="indicators-scopes">
        <summary>{t('scopeHelp.title')}</summary>
        <dl className="facts">
          <dt>{t('scope.org')}</dt>
          <dd>{t('scopeHelp.org')}</dd>
          <dt>{t('scope.partners')}</dt>
          <dd>{t('scopeHelp.partners')}</dd>
          <dt>{t('scope.public')}</dt>
          <dd>{t('scopeHelp.public')}</dd>
        </dl>
      </details>
      <h2>{t('list.title')}</h2>
      <Filters search={search} onSearch={onSearch} />
      <IndicatorTable search={search} />
      <Export search={search} />
      {writable ? (
        <div className="grid-2 indicators-write">
          <div className="panel">
            <AddIndicator />
          </div>
          <div className="panel">
            <ImportPanel />
          </div>
        </div>
      ) : (
        <p className="notice notice-info">{t('readOnly')}</p>
      )}
    </section>
  );
}

export const indicatorsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/indicators',
  validateSearch: (search: Record<string, unknown>): IndicatorSearch => indicatorSearch(search),
  component: IndicatorsPage,
});
export const indicatorRoutes = [indicatorsRoute];
