import { describe, expect, it } from 'vitest';
import { settleLimited } from '../../../shared/http/concurrency.js';

describe('settleLimited', () => {
  it('settles every item in order, never running more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await settleLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5 * (8 - n)));
      running--;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    expect(most).toBe(3);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 30, 'four', 50, 60, 70]);
  });
});
