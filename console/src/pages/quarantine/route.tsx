import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../../root.tsx';
import { validateItemSearch, validateQuarantineSearch } from './model.ts';
import { QuarantineItemPage } from './QuarantineItemPage.tsx';
import { QuarantineList } from './QuarantineList.tsx';

/**
 * The mail quarantine (issue 11 item 4, E4): `/quarantine` lists it for the
 * operator, `/quarantine?recipient=<address>` is one recipient's view with
 * their strength level, `/quarantine/$id` one mail with release and appeal.
 */
export const quarantineListRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/quarantine',
  validateSearch: validateQuarantineSearch,
  component: QuarantineList,
});

export const quarantineItemRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/quarantine/$id',
  validateSearch: validateItemSearch,
  component: QuarantineItemPage,
});

export const quarantineRoutes = [quarantineListRoute, quarantineItemRoute];
