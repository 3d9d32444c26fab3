import { describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE_WAIT_MS, MAX_THROTTLE_WAIT_MS, throttleWaitMs } from '../../../functions/notify/throttle.js';

describe('throttleWaitMs', () => {
  it('waits what the target asked for on the first throttled reply', () => {
    expect(throttleWaitMs(2000, 0)).toBe(2000);
    expect(throttleWaitMs(60_000, 0)).toBe(60_000);
  });

  it('doubles with every earlier throttled reply', () => {
    expect([0, 1, 2, 3, 4].map((n) => throttleWaitMs(1000, n))).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect([0, 1, 2].map((n) => throttleWaitMs(60_000, n))).toEqual([60_000, 120_000, 240_000]);
  });

  it('never waits more than 10 minutes, however often it was throttled', () => {
    expect(MAX_THROTTLE_WAIT_MS).toBe(600_000);
    expect(throttleWaitMs(60_000, 4)).toBe(600_000);
    expect(throttleWaitMs(2000, 9)).toBe(600_000);
    expect(throttleWaitMs(1000, 5000)).toBe(600_000);
    expect(throttleWaitMs(3_600_000, 0)).toBe(600_000);
  });

  it('waits a second when the reply asked for nothing or for no wait at all, so a retry never spins', () => {
    expect(throttleWaitMs(undefined, 0)).toBe(DEFAULT_THROTTLE_WAIT_MS);
    expect(throttleWaitMs(0, 2)).toBe(4 * DEFAULT_THROTTLE_WAIT_MS);
  });
});
