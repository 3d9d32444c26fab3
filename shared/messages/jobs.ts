import * as z from 'zod/mini';
import { Report } from '../report/report.js';
import { ImagePush } from './image.js';

/**
 * The jobs passed between the functions. Everything a function needs travels here: there is no database.
 * Every message carries `v`; a handler parses what it receives with these schemas and fails the record otherwise.
 */

/**
 * What a re-scan by a sweep carries beyond a push's scan: which sweep (its scheduled time), when the image was last
 * scanned (where the scanner says), the identities of the last scan's findings (shared/report/knownFindings.ts; absent
 * when it had none), and whether that list was whole (a re-scan against a partial one is not compared).
 */
const rescanNote = { sweep: z.string(), lastScannedAt: z.optional(z.string()) };
export const Rescan = z.object({ ...rescanNote, known: z.optional(z.string()), complete: z.boolean() });
export type Rescan = z.infer<typeof Rescan>;
/** What a message about a re-scan says of it (the findings' identities stay behind). */
export type RescanNote = Pick<Rescan, keyof typeof rescanNote>;

const jobBase = {
  v: z.literal(1),
  jobId: z.string().check(z.minLength(1)),
  /** Index of the route that matched the push, for logs. */
  route: z.number().check(z.int(), z.nonnegative()),
  scanner: z.string().check(z.minLength(1)),
  channels: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  image: ImagePush,
  receivedAt: z.iso.datetime(),
  /** Set when a sweep, not a push, asked for this scan: only findings the last scan did not have are news. */
  rescan: z.optional(Rescan),
};

export const ScanJob = z.object({
  kind: z.literal('scan'),
  ...jobBase,
  /** How often the scanner said it was busy (a concurrency limit) and the start was put off. */
  deferrals: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type ScanJob = z.infer<typeof ScanJob>;

/** A started scan: what the scanner needs to find it again, and the timer's state. */
export const ScanState = z.object({
  startedAt: z.iso.datetime(),
  deadline: z.iso.datetime(),
  checks: z.number().check(z.int(), z.nonnegative()),
  /** Scanner-specific identifiers (repo id, task id, ...), opaque to everything but the scanner. */
  handle: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type ScanState = z.infer<typeof ScanState>;

export const PollJob = z.object({
  kind: z.literal('poll'),
  ...jobBase,
  scan: ScanState,
  /**
   * Queued by the registry's scan-completed event, not by a start: its scan's start time is unknown (no duration,
   * no scan metrics), and on a scanning route a scan still running is left to the timer that started it.
   */
  fromEvent: z.optional(z.literal(true)),
});
export type PollJob = z.infer<typeof PollJob>;

export const Outcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('complete'), report: Report }),
  /** The scanner ran and reported that the scan failed. */
  z.object({ status: z.literal('failed'), reason: z.string() }),
  /** We could not start or follow the scan (permissions, credentials, configuration, vendor outage). */
  z.object({ status: z.literal('error'), code: z.string(), reason: z.string(), retryable: z.boolean() }),
  z.object({ status: z.literal('timed_out'), waitedSeconds: z.number().check(z.nonnegative()) }),
]);
export type Outcome = z.infer<typeof Outcome>;

export const NotifyJob = z.object({
  kind: z.literal('notify'),
  v: z.literal(1),
  jobId: z.string().check(z.minLength(1)),
  route: z.number().check(z.int(), z.nonnegative()),
  /** One notify job per channel, so one failing channel never causes a resend to another. */
  channel: z.string().check(z.minLength(1)),
  scanner: z.string().check(z.minLength(1)),
  scannerType: z.string().check(z.minLength(1)),
  /**
   * How messages name the scanner. Absent from messages queued before it was added: notify then shows the type.
   */
  scannerLabel: z.optional(z.string().check(z.minLength(1))),
  image: ImagePush,
  /** When onPush received the push or result: the start of push-to-message time. */
  receivedAt: z.optional(z.iso.datetime()),
  outcome: Outcome,
  scanStartedAt: z.optional(z.iso.datetime()),
  finishedAt: z.iso.datetime(),
  /** A notice to the config's ops channels about a dead-lettered job: its own failure is not reported again. */
  ops: z.optional(z.literal(true)),
  /** A re-scan by a sweep: the message says so. */
  rescan: z.optional(z.object(rescanNote)),
});
export type NotifyJob = z.infer<typeof NotifyJob>;

export const Job = z.discriminatedUnion('kind', [ScanJob, PollJob, NotifyJob]);
export type Job = z.infer<typeof Job>;
