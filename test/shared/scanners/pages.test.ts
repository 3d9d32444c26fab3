import { describe, expect, it } from 'vitest';
import { CallError } from '../../../shared/http/callError.js';
import { limiter } from '../../../shared/http/concurrency.js';
import { readPages } from '../../../shared/scanners/pages.js';

/** A list of `n` items served `serve` at a time whatever page size is asked, saying its total or not. */
const list = (n: number, serve: number, sayTotal = true) => {
  const asked: [number, number][] = [];
  return {
    asked,
    page: async (index: number, offset: number) => {
      asked.push([index, offset]);
      const items = Array.from({ length: Math.max(0, Math.min(serve, n - index * serve)) }, (_, i) => index * serve + i);
      return { items, ...(sayTotal ? { total: n } : {}) };
    },
  };
};

describe('readPages', () => {
  it('reads until the total, page by page, handing each page its index and offset', async () => {
    const l = list(250, 100);
    const read = await readPages({ pageSize: 100, max: 10_000, page: l.page });
    expect(read.complete).toBe(true);
    expect(read.items).toHaveLength(250);
    expect(l.asked).toEqual([
      [0, 0],
      [1, 100],
      [2, 200],
    ]);
  });

  it('a server that serves fewer than asked is paged on by its total', async () => {
    const l = list(120, 50);
    const read = await readPages({ pageSize: 100, max: 10_000, page: l.page });
    expect([read.items.length, read.complete, l.asked.length]).toEqual([120, true, 3]);
  });

  it('without a total: a short page ends the list', async () => {
    const l = list(230, 100, false);
    expect((await readPages({ pageSize: 100, max: 10_000, page: l.page })).items).toHaveLength(230);
  });

  it('stops at max and says the list is not whole', async () => {
    const l = list(1000, 100);
    const read = await readPages({ pageSize: 100, max: 300, page: l.page });
    expect([read.items.length, read.complete, l.asked.length]).toEqual([300, false, 3]);
  });

  it('past its deadline it stops before the next page', async () => {
    const l = list(1000, 100);
    const read = readPages({ pageSize: 100, max: 10_000, budget: { deadline: Date.now() - 1 }, page: l.page });
    await expect(read).rejects.toMatchObject({ code: 'ReadTimeBudget' });
    await expect(read).rejects.toBeInstanceOf(CallError);
    expect(l.asked).toEqual([]);
  });
});

describe('limiter', () => {
  it('runs at most `limit` calls at once, the rest in the order they came', async () => {
    const gate = limiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        gate(async () => {
          running++;
          most = Math.max(most, running);
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a failed call frees its place', async () => {
    const gate = limiter(1);
    await expect(gate(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate(async () => 'next')).toBe('next');
  });
});
