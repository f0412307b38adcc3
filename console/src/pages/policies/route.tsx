import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function PoliciesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('policies:read')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.policies')}</h1>
    </section>
  );
}

export const policiesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/policies',
  component: PoliciesPage,
});
export const policyRoutes = [policiesRoute];
