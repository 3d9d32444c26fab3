import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import { TagName } from '../messages/image.js';

/**
 * What a route compares a finished scan with: the most recently pushed other tag of the repository whose scan by the
 * same scanner completed (`previous`, the default), a named tag, or nothing.
 */
export const BaselineSetting = z.union([z.literal('previous'), z.literal('none'), strictObject({ tag: TagName })], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected "previous", "none" or {"tag": "<a tag>"}' : undefined),
});
export type BaselineSetting = z.infer<typeof BaselineSetting>;

/** `always`: every result by minSeverity and notifyOnPass; `changes`: only new findings at or above minSeverity. */
export const NotifyMode = z.enum(['always', 'changes']);
export type NotifyMode = z.infer<typeof NotifyMode>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 24 * 60 * 60_000;

const dayStart = (date: string): number | undefined => {
  const start = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(start) && new Date(start).toISOString().slice(0, 10) === date ? start : undefined;
};

/**
 * When an ignore entry stops ignoring, in ms since the epoch: a date ignores through the end of that day (UTC), a
 * time with its zone until that instant. Undefined for anything else, a 31 February included.
 */
export const ignoreEndsAt = (until: string): number | undefined => {
  if (DATE.test(until)) {
    const start = dayStart(until);
    return start === undefined ? undefined : start + DAY_MS;
  }
  if (!DATE_TIME.test(until) || dayStart(until.slice(0, 10)) === undefined) return undefined;
  const at = Date.parse(until);
  return Number.isFinite(at) ? at : undefined;
};

const required = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `required: ${what}` : undefined);

/** An accepted risk: a finding (advisory id, optionally only in one package) left out of every verdict until a date. */
export const IgnoreEntry = strictObject({
  id: z.string({ error: required('the advisory id, e.g. "CVE-2024-1234"') }).check(z.trim(), z.minLength(1, 'expected an advisory id'), z.maxLength(200)),
  package: z.optional(z.string().check(z.trim(), z.minLength(1, 'expected a package name (or leave the field out)'), z.maxLength(300))),
  until: z
    .string({ error: required('the last day the risk is accepted, e.g. "2027-03-31"') })
    .check(z.refine((s) => ignoreEndsAt(s) !== undefined, 'expected a date such as "2027-03-31" or a time such as "2027-03-31T18:00:00+08:00"')),
  reason: z.string({ error: required('why the risk is accepted') }).check(z.trim(), z.minLength(1, 'expected why the risk is accepted'), z.maxLength(500)),
});
export type IgnoreEntry = z.infer<typeof IgnoreEntry>;

/** What a route asks of a finished scan's report beyond the scanner's own. */
export interface ReportPolicy {
  baseline: BaselineSetting;
  /** The top level's entries and the route's. */
  ignore: IgnoreEntry[];
  fixableOnly: boolean;
}

/** Whether the report needs the scanner's whole finding list, not only its summary and worst findings. */
export const needsWholeList = (policy: ReportPolicy): boolean => policy.baseline !== 'none' || policy.ignore.length > 0 || policy.fixableOnly;
