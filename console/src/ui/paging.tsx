import { useTranslation } from 'react-i18next';
import type { Page } from '../types.ts';

/**
 * Cursor paging of the API's lists (`{items, nextCursor}`) for `useInfiniteQuery`:
 * spread into its options; `pageParam` is the cursor (undefined for the first page).
 */
export const CURSOR_PAGING = {
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last: Page<unknown>): string | undefined => last.nextCursor ?? undefined,
};

/** The "load more" button under a paged list: shown while there is a next page. */
export function LoadMore({
  list,
}: {
  readonly list: {
    readonly hasNextPage: boolean;
    readonly isFetchingNextPage: boolean;
    readonly fetchNextPage: () => Promise<unknown>;
  };
}) {
  const { t } = useTranslation('common');
  if (!list.hasNextPage) return null;
  return (
    <div className="actions-row">
      <button
        type="button"
        className="button"
        disabled={list.isFetchingNextPage}
        onClick={() => void list.fetchNextPage()}
      >
        {list.isFetchingNextPage ? t('common.loading') : t('common.more')}
      </button>
    </div>
  );
}
