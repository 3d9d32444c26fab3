import { describe, expect, it } from 'vitest';
import { nextCheckDelaySeconds, YOUNG_INTERVAL_SECONDS, YOUNG_SCAN_SECONDS } from '../../../functions/pollStatus/schedule.js';
import { type Polling, parseConfig } from '../../../shared/config/config.js';
import { MAX_DELAY_SECONDS } from '../../../shared/queue/sqsLimits.js';

const polling: Polling = { initialDelaySeconds: 5, maxDelaySeconds: 30, deadlineMinutes: 60 };
const FAR = 3600; // seconds to the deadline, when it does not matter

describe('nextCheckDelaySeconds', () => {
  it('checks young scans (< 60 s) at most 10 s apart', () => {
    expect(YOUNG_SCAN_SECONDS).toBe(60);
    expect(YOUNG_INTERVAL_SECONDS).toBeGreaterThan(0);
    expect(YOUNG_INTERVAL_SECONDS).toBeLessThanOrEqual(10);
    for (const age of [0, 1, 5, 30, 59, 59.9]) {
      const delay = nextCheckDelaySeconds(polling, age, FAR);
      expect(delay, `age ${age}`).toBe(YOUNG_INTERVAL_SECONDS);
    }
  });

  it('checks older scans every maxDelaySeconds', () => {
    for (const age of [60, 61, 300, 3000]) expect(nextCheckDelaySeconds(polling, age, FAR), `age ${age}`).toBe(30);
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 120 }, 600, FAR)).toBe(120);
  });

  it('a maxDelaySeconds below 10 applies to young scans too', () => {
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 4 }, 3, FAR)).toBe(4);
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 4 }, 300, FAR)).toBe(4);
  });

  it('never exceeds SQS’s 900 s, whatever maxDelaySeconds says', () => {
    expect(MAX_DELAY_SECONDS).toBe(900);
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 900 }, 5000, 10_000)).toBe(900);
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 901 }, 5000, 10_000)).toBe(900);
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 100_000 }, 5000, 100_000)).toBe(900);
    // the config itself refuses more than 900
    expect(() => parseConfig({ ...minimalConfig, polling: { maxDelaySeconds: 901 } })).toThrow(/polling\.maxDelaySeconds/);
  });

  it('never schedules the check later than one second past the deadline', () => {
    expect(nextCheckDelaySeconds(polling, 300, 12)).toBe(13);
    expect(nextCheckDelaySeconds(polling, 300, 0)).toBe(1);
    expect(nextCheckDelaySeconds(polling, 10, 3)).toBe(4);
    expect(nextCheckDelaySeconds({ ...polling, maxDelaySeconds: 900 }, 5000, 100)).toBe(101);
    for (let toDeadline = 0; toDeadline <= 40; toDeadline++) {
      for (const age of [0, 30, 59, 60, 500]) {
        expect(nextCheckDelaySeconds(polling, age, toDeadline)).toBeLessThanOrEqual(toDeadline + 1);
      }
    }
  });

  it('with a fractional time to the deadline, the check still lands after the deadline', () => {
    for (const toDeadline of [0.01, 0.5, 0.99, 7.3, 12.9]) {
      const delay = nextCheckDelaySeconds(polling, 300, toDeadline);
      expect(delay).toBeGreaterThan(toDeadline);
      // SQS delays are whole seconds: at most under a second beyond deadline + 1
      expect(delay).toBeLessThan(toDeadline + 2);
    }
  });

  it('a progress estimate pulls the check to the estimated finish', () => {
    // 60 s old at 90 %: about 6.7 s to go
    expect(nextCheckDelaySeconds(polling, 60, FAR, 90)).toBe(7);
    // 20 s old at 50 %: 20 s to go, but young scans are checked more often anyway
    expect(nextCheckDelaySeconds(polling, 20, FAR, 50)).toBe(YOUNG_INTERVAL_SECONDS);
    // 4 s old at 50 %: 4 s to go
    expect(nextCheckDelaySeconds(polling, 4, FAR, 50)).toBe(4);
    // 120 s old at 75 %: 40 s to go, capped by maxDelaySeconds
    expect(nextCheckDelaySeconds(polling, 120, FAR, 75)).toBe(30);
    // 120 s old at 90 %: 13.3 s to go
    expect(nextCheckDelaySeconds(polling, 120, FAR, 90)).toBe(14);
  });

  it('a progress estimate never asks for less than 1 s', () => {
    expect(nextCheckDelaySeconds(polling, 1, FAR, 99.99)).toBe(1);
    expect(nextCheckDelaySeconds(polling, 300, FAR, 99.999)).toBe(1);
  });

  it('ignores progress that says nothing (absent, 0, 100, out of range)', () => {
    for (const progress of [undefined, 0, 100, -5, 150]) {
      expect(nextCheckDelaySeconds(polling, 300, FAR, progress), `progress ${progress}`).toBe(30);
      expect(nextCheckDelaySeconds(polling, 10, FAR, progress), `progress ${progress}`).toBe(YOUNG_INTERVAL_SECONDS);
    }
  });

  it('works with 0–1 s polling', () => {
    const fast = { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 };
    expect(nextCheckDelaySeconds(fast, 0, 60)).toBe(1);
    expect(nextCheckDelaySeconds(fast, 120, 60)).toBe(1);
    expect(nextCheckDelaySeconds(fast, 10, 60, 50)).toBe(1);
    const zero = { initialDelaySeconds: 0, maxDelaySeconds: 0, deadlineMinutes: 1 };
    expect(nextCheckDelaySeconds(zero, 0, 60)).toBe(0);
    expect(nextCheckDelaySeconds(zero, 500, 60, 50)).toBe(0);
  });

  it('always returns a whole, non-negative number of seconds', () => {
    for (const max of [0, 1, 7, 30, 900]) {
      for (const age of [0, 0.4, 59.5, 60.2, 1234.5]) {
        for (const toDeadline of [0, 0.3, 5.5, 10_000]) {
          for (const progress of [undefined, 1, 33.3, 99]) {
            const d = nextCheckDelaySeconds({ ...polling, maxDelaySeconds: max }, age, toDeadline, progress);
            expect(Number.isInteger(d)).toBe(true);
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThanOrEqual(max);
          }
        }
      }
    }
  });
});

/** Follows one scan from its start the way startScans and checkScan schedule it. */
const simulate = (p: Polling, scanSeconds: number) => {
  const deadline = p.deadlineMinutes * 60;
  let t = p.initialDelaySeconds;
  let checks = 1;
  while (t < scanSeconds) {
    if (deadline - t <= 0) return { checks, foundAt: undefined, timedOutAt: t };
    t += nextCheckDelaySeconds(p, t, deadline - t);
    checks++;
    if (checks > 10_000) throw new Error('runaway');
  }
  return { checks, foundAt: t, timedOutAt: undefined };
};

describe('simulated polling of one scan', () => {
  it.each([30, 120, 600])('a %i s scan: few checks, found soon after it ends', (T) => {
    const { checks, foundAt } = simulate(polling, T);
    expect(foundAt).toBeDefined();
    expect(checks).toBeLessThanOrEqual(T / 30 + 8);
    const lateness = foundAt! - T;
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThanOrEqual(T <= 60 ? 10 : 30);
  });

  it('the first check is at initialDelaySeconds', () => {
    expect(simulate(polling, 4)).toEqual({ checks: 1, foundAt: 5, timedOutAt: undefined });
    expect(simulate({ ...polling, initialDelaySeconds: 12 }, 1).foundAt).toBe(12);
  });

  it('a scan that never finishes is declared timed out within a second or so of the deadline', () => {
    const p = { initialDelaySeconds: 5, maxDelaySeconds: 30, deadlineMinutes: 2 };
    const { foundAt, timedOutAt, checks } = simulate(p, Number.POSITIVE_INFINITY);
    expect(foundAt).toBeUndefined();
    expect(timedOutAt).toBeGreaterThanOrEqual(120);
    expect(timedOutAt).toBeLessThanOrEqual(121);
    expect(checks).toBeLessThanOrEqual(120 / 30 + 8);
  });
});

const minimalConfig = {
  sources: { acr: { secret: 'a-long-enough-secret-123' } },
  scanners: { s: { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-1' } },
  channels: { c: { type: 'webhook', url: 'https://example.com/hook' } },
  routes: [{ source: 'acr', scanner: 's', channels: ['c'] }],
};
