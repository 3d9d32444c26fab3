import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config.js';
import type { Outcome } from '../../../shared/messages/jobs.js';
import { type Delta, type ExpiredIgnore, emptyCounts, type Severity } from '../../../shared/report/report.js';
import { isPass, type MinSeverity, shouldNotify, type Threshold } from '../../../shared/report/threshold.js';

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

describe('shouldNotify on a "changes" route', () => {
  const compared = (newOnes: Partial<Record<Severity, number>>): Delta => ({
    status: 'compared',
    baseline: { tag: '1.0.0', digest: `sha256:${'a'.repeat(64)}` },
    new: { ...emptyCounts(), ...newOnes },
    fixed: { ...emptyCounts(), low: 3 },
    newFindings: [],
  });
  /** An image with high findings (never a pass below critical), compared or not. */
  const scan = (delta?: Delta, expired?: ExpiredIgnore[]): Outcome => ({
    status: 'complete',
    report: { counts: { ...emptyCounts(), high: 5 }, total: 5, findings: [], ...(delta ? { delta } : {}), ...(expired ? { expired } : {}) },
  });
  const changes = (minSeverity: MinSeverity, notifyOnPass = false): Threshold => ({ minSeverity, notifyOnPass, notify: 'changes' });

  it('nothing new: nothing sent, however bad the image (the same findings were posted before)', () => {
    expect(shouldNotify(scan(compared({})), changes('none'))).toBe(false);
    expect(shouldNotify(scan(compared({})), changes('none', true))).toBe(false);
    expect(shouldNotify(scan(compared({})), { minSeverity: 'none', notifyOnPass: false, notify: 'always' })).toBe(true);
  });

  it.each<[Partial<Record<Severity, number>>, MinSeverity, boolean]>([
    [{ low: 1 }, 'none', true],
    [{ unknown: 1 }, 'none', true],
    [{ low: 2 }, 'medium', false],
    [{ medium: 1 }, 'medium', true],
    [{ critical: 1 }, 'high', true],
    [{ high: 4, medium: 1 }, 'critical', false],
  ])('new %o under minSeverity %s → sent: %s', (newOnes, min, sent) => {
    expect(shouldNotify(scan(compared(newOnes)), changes(min))).toBe(sent);
  });

  it('no baseline, or one that could not be read: decided as an "always" route, never taken for "nothing new"', () => {
    for (const delta of [undefined, { status: 'none', reason: 'first' } as const, { status: 'unavailable', reason: 'throttled' } as const]) {
      expect(shouldNotify(scan(delta), changes('high'))).toBe(true);
      expect(shouldNotify(scan(delta), changes('critical'))).toBe(false);
      expect(shouldNotify(scan(delta), changes('critical', true))).toBe(true);
    }
  });

  it('an expired ignore entry at or above the bar is news: the accepted risk is back', () => {
    const expired: ExpiredIgnore[] = [{ id: 'CVE-1', until: '2026-01-01', severity: 'high' }];
    expect(shouldNotify(scan(compared({}), expired), changes('high'))).toBe(true);
    expect(shouldNotify(scan(compared({}), expired), changes('critical'))).toBe(false);
  });

  it('failures are always sent', () => {
    expect(shouldNotify({ status: 'failed' }, changes('critical'))).toBe(true);
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
