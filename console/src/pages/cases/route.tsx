import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function CasesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('cases:read')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.cases')}</h1>
    </section>
  );
}

export const casesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/cases',
  component: CasesPage,
});
export const caseRoutes = [casesRoute];
