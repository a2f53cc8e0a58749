/** One page of a list route: `{ data, next_cursor }`. */
export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
}

/**
 * Every item of a paginated list, in the server's order, requesting the next page (with the previous
 * page's `next_cursor`) only when the loop has used up the current one; stops at `next_cursor: null`.
 */
export async function* paginate<T>(page: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const current = await page(cursor);
    yield* current.data;
    cursor = current.next_cursor ?? undefined;
  } while (cursor);
}
