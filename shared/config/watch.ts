import * as z from 'zod';
import { strictObject } from './strictObject.js';

/**
 * The scanner types whose images a sweep can list (a `listImages` in their plugin; a test keeps the two in step). It
 * lives here, not in the scanner plugins, so the webhook function can refuse a watch on any other scanner without
 * loading scanner code.
 */
export const LISTING_SCANNER_TYPES: readonly string[] = ['acr'];

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
/** What one field of an AWS cron expression may hold: numbers, names, and `, - * ? / L W #`. */
const CRON_FIELD = /^[0-9A-Za-z,\-*?/#]+$/;

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The interval of a `rate(…)` expression in ms, or undefined for anything else. */
export const rateMs = (expression: string): number | undefined => {
  const m = RATE.exec(expression);
  if (!m) return undefined;
  const value = Number(m[1]);
  return value * UNIT_MS[m[2]!.replace(/s$/, '')]!;
};

/** The six fields of a `cron(…)` expression (minutes hours day-of-month month day-of-week year), or undefined. */
export const cronFields = (expression: string): string[] | undefined => {
  const m = /^cron\((.*)\)$/.exec(expression);
  return m ? m[1]!.trim().split(/\s+/) : undefined;
};

/**
 * What is wrong with a schedule expression in the EventBridge syntax
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), or undefined. The shape is checked
 * here, in every function; the ranges of a cron's values by `npm start` and `npm run check-config` (local/schedule.ts).
 */
export const scheduleProblem = (expression: string): string | undefined => {
  if (expression.startsWith('rate(')) {
    const m = RATE.exec(expression);
    if (!m) return 'expected rate(<number> <minute|minutes|hour|hours|day|days>), e.g. "rate(1 day)"';
    const value = Number(m[1]);
    if (value < 1) return 'a rate must be at least 1';
    if ((value === 1) !== !m[2]!.endsWith('s'))
      return `write "rate(${value} ${value === 1 ? m[2]!.replace(/s$/, '') : `${m[2]}s`})": EventBridge refuses the other number`;
    return undefined;
  }
  const fields = cronFields(expression);
  if (!fields) return 'expected "rate(…)" or "cron(…)", e.g. "rate(1 day)" or "cron(0 3 * * ? *)"';
  if (fields.length !== 6) return `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one ${fields.length}`;
  if (!fields.every((f) => CRON_FIELD.test(f))) return 'a cron field holds only numbers, names and , - * ? / L W #';
  if ((fields[2] === '?') === (fields[4] === '?')) return 'exactly one of day-of-month and day-of-week must be "?"';
  return undefined;
};

export const ScheduleExpression = z.string().superRefine((value, ctx) => {
  const problem = scheduleProblem(value.trim());
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The top level's `watch`: when sweeps run, and how many images one may re-scan. */
export const WatchSettings = strictObject({
  /** An EventBridge schedule expression: `rate(1 day)`, `cron(0 3 * * ? *)`. */
  schedule: ScheduleExpression,
  maxImagesPerSweep: z.number().int().min(1).max(10_000).default(200),
});
export type WatchSettings = z.infer<typeof WatchSettings>;

/** A route's `watch`: its repositories' newest tags are re-scanned by every sweep. */
export const RouteWatch = strictObject({
  tagsPerRepository: z.number().int().min(1).max(100).default(1),
});
export type RouteWatch = z.infer<typeof RouteWatch>;
