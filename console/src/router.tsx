import { createRouter } from '@tanstack/react-router';
import { adminRoutes } from './pages/admin/route.tsx';
import { caseRoutes } from './pages/cases/route.tsx';
import { dashboardRoutes } from './pages/dashboard/route.tsx';
import { decisionRoutes } from './pages/decisions/route.tsx';
import { indicatorRoutes } from './pages/indicators/route.tsx';
import { policyRoutes } from './pages/policies/route.tsx';
import { quarantineRoutes } from './pages/quarantine/route.tsx';
import { screenRoutes } from './pages/screen/route.tsx';
import { rootRoute } from './root.tsx';

/** Every page of the console; each page folder declares its own routes and search params. */
const routeTree = rootRoute.addChildren([
  ...dashboardRoutes,
  ...caseRoutes,
  ...decisionRoutes,
  ...screenRoutes,
  ...indicatorRoutes,
  ...policyRoutes,
  ...quarantineRoutes,
  ...adminRoutes,
]);

export const router = createRouter({ routeTree, defaultPreload: false, scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
