import { CallError } from '../http/callError.js';

/** When reading has to stop: a baseline that is not read by then is reported as unreadable. */
export interface ReadBudget {
  /** ms since the epoch. */
  deadline: number;
}

/** A scanner client runs at most this many list pages at once, for all the images it reads (unconfirmed vendor limits). */
export const LIST_PAGES_IN_FLIGHT = 2;

export interface Page<T> {
  items: T[];
  /** How many the whole list holds, where the API says. */
  total?: number | undefined;
}

/**
 * A list read page by page, one page at a time, until it has `total` items (where the API says), a page comes back
 * short or empty, or `max` items are read (then `complete` is false). `page` gets the page's index (from 0) and how many
 * items came before it, for APIs paged by number or by offset.
 */
export const readPages = async <T>(opts: {
  pageSize: number;
  max: number;
  budget?: ReadBudget | undefined;
  page: (index: number, offset: number) => Promise<Page<T>>;
}): Promise<{ items: T[]; complete: boolean }> => {
  const items: T[] = [];
  for (let index = 0; ; index++) {
    if (opts.budget && Date.now() > opts.budget.deadline) {
      throw new CallError({ kind: 'unavailable', code: 'ReadTimeBudget', message: 'reading took longer than its time budget' });
    }
    const { items: got, total } = await opts.page(index, items.length);
    items.push(...got);
    const whole = got.length === 0 || (total !== undefined && Number.isFinite(total) ? items.length >= total : got.length < opts.pageSize);
    if (whole) return { items, complete: true };
    if (items.length >= opts.max) return { items: items.slice(0, opts.max), complete: false };
  }
};

/**
 * A scanner's reader of lists: its page size, and every page through its limit on calls in flight (`gate`).
 * `page` gets the page's index and how many items came before it, as with readPages.
 */
export const listReader =
  (pageSize: number, gate: <R>(call: () => Promise<R>) => Promise<R>) =>
  <T>(max: number, budget: ReadBudget | undefined, page: (index: number, offset: number) => Promise<Page<T>>) =>
    readPages({ pageSize, max, budget, page: (index, offset) => gate(() => page(index, offset)) });
