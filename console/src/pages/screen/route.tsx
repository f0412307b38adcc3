import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';

/** Placeholder until the page is written. */
function ScreenPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('screen')) return <Forbidden />;
  return (
    <section className="page">
      <h1>{t('nav.screen')}</h1>
    </section>
  );
}

export const screenRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/screen',
  component: ScreenPage,
});
export const screenRoutes = [screenRoute];
