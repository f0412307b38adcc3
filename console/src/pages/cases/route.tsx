import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../../root.tsx';
import { CasePage } from './CasePage.tsx';
import { CaseQueue } from './CaseQueue.tsx';
import { validateCaseSearch, validateQueueSearch } from './search.ts';

/** The case queue (`/cases`, filters in the URL) and one case (`/cases/$caseId`). */
export const casesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/cases',
  validateSearch: validateQueueSearch,
  component: CaseQueue,
});

export const caseRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/cases/$caseId',
  validateSearch: validateCaseSearch,
  component: CasePage,
});

export const caseRoutes = [casesRoute, caseRoute];
