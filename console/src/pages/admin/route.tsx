import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function AdminPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('keys:admin')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.admin')}</h1>
    </section>
  );
}

export const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  component: AdminPage,
});
export const adminRoutes = [adminRoute];
