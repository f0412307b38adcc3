import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../../root.tsx';
import { PolicyList } from './PolicyList.tsx';
import { PolicyPage } from './PolicyPage.tsx';

/** `/policies`: the channels and the policy each runs now. */
export const policiesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/policies',
  component: PolicyList,
});

/** `/policies/$channel`: the form, the dry-run, saving, versions and roll back. */
export const policyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/policies/$channel',
  component: PolicyPage,
});

export const policyRoutes = [policiesRoute, policyRoute];
