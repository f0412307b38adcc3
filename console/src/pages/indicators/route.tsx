import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function IndicatorsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('indicators:read')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.indicators')}</h1>
    </section>
  );
}

export const indicatorsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/indicators',
  component: IndicatorsPage,
});
export const indicatorRoutes = [indicatorsRoute];
