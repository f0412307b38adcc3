import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../../root.tsx';
import { DecisionPage } from './DecisionPage.tsx';
import { DecisionsPage } from './DecisionsPage.tsx';
import { type DecisionSearch, parseDecisionSearch } from './search.ts';

/** The verdict explorer: the decision log searched by time, channel, action, signal and indicator. */
export const decisionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/decisions',
  validateSearch: (search: Record<string, unknown>): DecisionSearch => parseDecisionSearch(search),
  component: DecisionsPage,
});

/** One decision: its verdict, the event as recorded, its place in the chain. */
export const decisionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/decisions/$decisionId',
  component: DecisionPage,
});

export const decisionRoutes = [decisionsRoute, decisionRoute];
