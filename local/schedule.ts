import awsCronParser from 'aws-cron-parser';
import { cronFields, rateMs } from '../shared/config/watch.js';

/**
 * A schedule expression as local mode runs it: `rate(…)` from the start, `cron(…)` in UTC (as EventBridge runs a
 * cron without a time zone). Values out of range (`cron(99 …)`) throw here, where the shape check of every function
 * cannot see them.
 */
export const scheduleOf = (expression: string): { next: (after: Date) => Date | undefined } => {
  const interval = rateMs(expression);
  if (interval !== undefined) return { next: (after) => new Date(after.getTime() + interval) };
  const fields = cronFields(expression);
  if (!fields) throw new Error(`not a schedule expression: ${expression}`);
  const cron = awsCronParser.parse(fields.join(' '));
  return { next: (after) => awsCronParser.next(cron, after) ?? undefined };
};

/** What is wrong with a schedule's values, or undefined: the check `npm start` and `npm run check-config` add. */
export const scheduleRangeProblem = (expression: string): string | undefined => {
  try {
    scheduleOf(expression);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^Invalid: /, '') : String(err);
  }
};

/** Runs `tick` at each time of the schedule (its scheduled time as argument) until stopped. */
export const runSchedule = (expression: string, tick: (scheduledAt: Date) => void, now: () => Date = () => new Date()) => {
  const schedule = scheduleOf(expression);
  let timer: NodeJS.Timeout | undefined;
  const arm = (after: Date) => {
    const at = schedule.next(after);
    if (!at) return;
    // setTimeout holds at most about 24.8 days: a longer wait is taken in steps.
    const wait = Math.min(at.getTime() - now().getTime(), 2 ** 31 - 1);
    timer = setTimeout(
      () => {
        if (now().getTime() < at.getTime()) return arm(after);
        tick(at);
        arm(at);
      },
      Math.max(0, wait),
    );
    timer.unref();
  };
  arm(now());
  return { stop: () => clearTimeout(timer) };
};
