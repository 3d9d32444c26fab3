import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSchedule, scheduleOf, scheduleRangeProblem } from '../../local/schedule.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the watch schedule in local mode', () => {
  it('a rate runs every interval; a cron at its next time, in UTC', () => {
    const from = new Date('2026-11-29T10:17:00Z');
    expect(scheduleOf('rate(2 hours)').next(from)?.toISOString()).toBe('2026-11-29T12:17:00.000Z');
    expect(scheduleOf('rate(1 day)').next(from)?.toISOString()).toBe('2026-11-30T10:17:00.000Z');
    expect(scheduleOf('cron(0 3 * * ? *)').next(from)?.toISOString()).toBe('2026-11-30T03:00:00.000Z');
    expect(scheduleOf('cron(0/15 * ? * MON-FRI *)').next(from)?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });

  it('names a cron value out of range', () => {
    expect(scheduleRangeProblem('cron(0 25 * * ? *)')).toMatch(/25/);
    expect(scheduleRangeProblem('cron(0 3 * * ? *)')).toBeUndefined();
  });

  it('ticks at each time of the schedule with that time, and not after stop', () => {
    vi.useFakeTimers({ now: new Date('2026-11-29T10:00:00Z') });
    const ticks: string[] = [];
    const schedule = runSchedule('rate(5 minutes)', (at) => ticks.push(at.toISOString()));
    vi.advanceTimersByTime(16 * 60_000);
    expect(ticks).toEqual(['2026-11-29T10:05:00.000Z', '2026-11-29T10:10:00.000Z', '2026-11-29T10:15:00.000Z']);
    schedule.stop();
    vi.advanceTimersByTime(60 * 60_000);
    expect(ticks).toHaveLength(3);
  });
});
