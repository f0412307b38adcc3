import { createRoute } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { KeysPanel } from './KeysPanel.tsx';
import { OrgsPanel } from './OrgsPanel.tsx';
import { RolesTable } from './RolesTable.tsx';
import './admin.css';

/**
 * Admin (C4): the organisation's API keys (keys:admin) and, for an admin of
 * the operator organisation, organisations and partnerships (orgs:admin).
 */
function AdminPage() {
  const { t } = useTranslation('admin');
  const { me, can } = useSession();
  if (!can('keys:admin')) return <Forbidden />;
  return (
    <section className="page admin" aria-labelledby="admin-title">
      <h1 id="admin-title">{t('title')}</h1>
      <p className="help">{t('lead', { org: me.organisation.name })}</p>
      <KeysPanel />
      {me.operator && can('orgs:admin') ? <OrgsPanel /> : null}
      <RolesTable />
    </section>
  );
}

export const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  component: AdminPage,
});
export const adminRoutes = [adminRoute];
