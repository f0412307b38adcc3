import { createRoute, Navigate, useNavigate } from '@tanstack/react-router';
import { rootRoute } from '../../root.tsx';
import { useSession } from '../../session.tsx';
import { Forbidden } from '../../ui/Forbidden.tsx';
import { Dashboard } from './Dashboard.tsx';
import { type DashboardSearch, validateDashboardSearch } from './model.ts';

/**
 * `/`: the dashboard, for keys that read decisions. A key that does not (an
 * origin-bound agent) starts at its case queue instead: no refused API call.
 */
function DashboardPage() {
  const { can } = useSession();
  const search = dashboardRoute.useSearch();
  const navigate = useNavigate({ from: '/' });
  if (!can('decisions:read')) {
    if (can('cases:read')) return <Navigate to="/cases" replace />;
    if (can('screen')) return <Navigate to="/screen" replace />;
    return <Forbidden />;
  }
  return (
    <Dashboard
      search={search}
      onSearch={(next: DashboardSearch) =>
        void navigate({ search: validateDashboardSearch({ ...next }), replace: true })
      }
    />
  );
}

export const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  validateSearch: validateDashboardSearch,
  component: DashboardPage,
});
export const dashboardRoutes = [dashboardRoute];
