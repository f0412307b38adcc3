import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../../root.tsx';
import { ScreenPage } from './ScreenPage.tsx';

export interface ScreenSearch {
  readonly channel?: string;
}

/** Screen one event: pick a channel, fill the payload (or the contract form), see the verdict. */
export const screenRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/screen',
  validateSearch: (search: Record<string, unknown>): ScreenSearch =>
    typeof search.channel === 'string' && /^[a-z][a-z0-9_-]{0,49}$/.test(search.channel)
      ? { channel: search.channel }
      : {},
  component: ScreenPage,
});
export const screenRoutes = [screenRoute];
