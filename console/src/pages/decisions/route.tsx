import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function DecisionsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('decisions:read')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.decisions')}</h1>
    </section>
  );
}

export const decisionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/decisions',
  component: DecisionsPage,
});
export const decisionRoutes = [decisionsRoute];
