import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config.js';
import type { Outcome } from '../../../shared/messages/jobs.js';
import { emptyCounts, type Severity } from '../../../shared/report/report.js';
import { isPass, type MinSeverity, shouldNotify } from '../../../shared/report/threshold.js';

const countsWith = (worst?: Severity) => ({ ...emptyCounts(), ...(worst ? { [worst]: 2 } : {}) });
const complete = (worst?: Severity): Outcome => {
  const counts = countsWith(worst);
  return { status: 'complete', report: { counts, total: worst ? 2 : 0, findings: [] } };
};

describe('isPass: no finding at or above minSeverity', () => {
  // rows: the worst finding (undefined = none at all); columns: minSeverity none, low, medium, high, critical
  const matrix: [Severity | undefined, boolean[]][] = [
    [undefined, [false, true, true, true, true]],
    ['unknown', [false, true, true, true, true]],
    ['low', [false, false, true, true, true]],
    ['medium', [false, false, false, true, true]],
    ['high', [false, false, false, false, true]],
    ['critical', [false, false, false, false, false]],
  ];
  const mins: MinSeverity[] = ['none', 'low', 'medium', 'high', 'critical'];
  for (const [worst, passes] of matrix) {
    mins.forEach((min, i) => {
      it(`worst ${worst ?? 'nothing'} under minSeverity ${min} → ${passes[i] ? 'pass' : 'sent'}`, () => {
        expect(isPass(countsWith(worst), min)).toBe(passes[i]);
      });
    });
  }

  it('decides on the counts, not on the findings a report carries', () => {
    expect(isPass({ ...emptyCounts(), critical: 1, low: 40 }, 'critical')).toBe(false);
  });
});

describe('shouldNotify', () => {
  it('drops a pass unless notifyOnPass', () => {
    expect(shouldNotify(complete('medium'), { minSeverity: 'high', notifyOnPass: false })).toBe(false);
    expect(shouldNotify(complete('medium'), { minSeverity: 'high', notifyOnPass: true })).toBe(true);
    expect(shouldNotify(complete(), { minSeverity: 'low', notifyOnPass: true })).toBe(true);
    expect(shouldNotify(complete('critical'), { minSeverity: 'high', notifyOnPass: false })).toBe(true);
  });

  it.each<Outcome>([
    { status: 'failed', reason: 'layer too large' },
    { status: 'error', code: 'NoPrivilege', reason: 'denied', retryable: false },
    { status: 'timed_out', waitedSeconds: 3600 },
  ])('always sends a $status outcome, whatever the threshold', (outcome) => {
    expect(shouldNotify(outcome, { minSeverity: 'critical', notifyOnPass: false })).toBe(true);
  });
});

describe('route config', () => {
  const doc = (route: Record<string, unknown>) => ({
    sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' } },
    scanners: { s: { type: 'acr' } },
    channels: { c: { type: 'webhook' } },
    routes: [{ source: 'acr', scanner: 's', channels: ['c'], ...route }],
  });

  it('defaults to minSeverity none and notifyOnPass false: every result is sent', () => {
    expect(parseConfig(doc({})).routes[0]).toMatchObject({ minSeverity: 'none', notifyOnPass: false });
  });

  it('names the field of a bad threshold', () => {
    expect(() => parseConfig(doc({ minSeverity: 'severe' }))).toThrow('routes[0].minSeverity');
    expect(() => parseConfig(doc({ minSeverity: 'unknown' }))).toThrow('routes[0].minSeverity');
    expect(() => parseConfig(doc({ notifyOnPass: 'yes' }))).toThrow('routes[0].notifyOnPass');
  });
});
