import { describe, expect, it } from 'vitest';
import { once } from '../../../shared/runtime/once.js';

describe('once: a cold start built on first use', () => {
  it('runs init once for every caller, concurrent or later', async () => {
    let runs = 0;
    const get = once(async () => ++runs);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(await get()).toBe(1);
    expect(runs).toBe(1);
  });

  it('runs init again after a failure, so a bad config is reported on every invocation until it is fixed', async () => {
    let runs = 0;
    const get = once(async () => {
      runs++;
      if (runs < 3) throw new Error(`broken ${runs}`);
      return 'ready';
    });
    await expect(get()).rejects.toThrow('broken 1');
    await expect(get()).rejects.toThrow('broken 2');
    expect(await get()).toBe('ready');
    expect(await get()).toBe('ready');
    expect(runs).toBe(3);
  });
});
