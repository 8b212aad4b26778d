// Previous/next over server pages addressed by an opaque cursor in the URL; the cursors already passed are kept to go back.
import { useState } from 'preact/hooks';
import { useApp } from '../app-context';
import { navigate } from '../router';

export interface CursorPages {
  /** Clears the way back (the filters changed, page one again). */
  reset(): void;
  pager: preact.JSX.Element;
}

/**
 * `cursor` is the page shown now, `nextCursor` the server's cursor after it; `to(cursor)` is the
 * page's address for a cursor (undefined: the first page).
 */
export function useCursorPages(cursor: string | undefined, nextCursor: string | null | undefined, to: (cursor: string | undefined) => string, label: string): CursorPages {
  const { t } = useApp();
  const [previous, setPrevious] = useState<string[]>([]);
  const pager = (
    <nav class="pager" aria-label={label}>
      <button
        type="button"
        disabled={previous.length === 0}
        onClick={() => {
          const back = previous[previous.length - 1];
          setPrevious(previous.slice(0, -1));
          navigate(to(back || undefined));
        }}
      >
        {t('action.previous')}
      </button>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => {
          setPrevious([...previous, cursor ?? '']);
          navigate(to(nextCursor ?? undefined));
        }}
      >
        {t('action.next')}
      </button>
    </nav>
  );
  return { reset: () => setPrevious([]), pager };
}
