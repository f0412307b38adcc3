import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function DashboardPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('decisions:read')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.dashboard')}</h1>
    </section>
  );
}

export const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: DashboardPage,
});
export const dashboardRoutes = [dashboardRoute];
