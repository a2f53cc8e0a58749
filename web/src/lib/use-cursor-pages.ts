import { useCallback, useState } from 'react';

/**
 * Cursor pagination as the API does it (`next_cursor`): remembers the cursors of the pages seen so
 * "Previous" can go back. `reset` returns to the first page (when filters change).
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const next = useCallback((nextCursor: string) => setCursors((list) => [...list, nextCursor]), []);
  const previous = useCallback(() => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)), []);
  const reset = useCallback(() => setCursors([undefined]), []);
  return { cursor, page: cursors.length, hasPrevious: cursors.length > 1, next, previous, reset };
}
