import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { localeOf } from '../../shared/channels/i18n.js';
import { channelPlugin } from '../../shared/channels/index.js';
import { buildNotice, summaryNotice } from '../../shared/channels/notice.js';
import { sleep } from '../../shared/http/retry.js';
import { recordMetric, recordSeconds } from '../../shared/logging/metrics.js';
import { NotifyJob } from '../../shared/messages/jobs.js';
import { DELIVERY_UNKNOWN } from '../../shared/queue/jobQueue.js';
import { opsNotices } from '../../shared/queue/opsNotices.js';
import { parseRecord, RecordHeld, receiveCount } from '../../shared/queue/records.js';
import { type ChatTarget, type Delivery, OUT_OF_TIME, postNotice } from './postNotice.js';
import { paceOf, splitForRateLimit } from './rateLimit.js';
import type { NotifyRuntime } from './withChannels.js';

/** How long a rate-limited channel's first result waits for the rest of a burst. */
export const BURST_GATHER_MS = 1000;

interface Entry {
  index: number;
  record: SQSRecord;
  job: NotifyJob;
}
type LogContext = Record<string, unknown>;
type Settled = [Entry, PromiseSettledResult<void>];
type Pause = (ms: number) => Promise<void>;
/** What the invocation keeps of its time after a pause (see paceOf). */
const PAUSE_RESERVE_MS = 500;
const done = (e: Entry): Settled => [e, { status: 'fulfilled', value: undefined }];
const failed = (e: Entry, reason: unknown): Settled => [e, { status: 'rejected', reason }];

const labelOf = (job: NotifyJob) => job.scannerLabel ?? job.scannerType;
/**
 * Earlier throttled replies to these messages: each earlier receive counts as one (a hold the channel asked for, or
 * a failure), except the first receive's hold that gathered a burst — the one first received within that window.
 */
const throttledSoFar = (target: ChatTarget, entries: Entry[]) =>
  Math.max(
    0,
    ...entries.map((e) => {
      const { SentTimestamp, ApproximateFirstReceiveTimestamp } = e.record.attributes;
      const gathered = target.plugin.rateLimit !== 'unlimited' && Number(ApproximateFirstReceiveTimestamp) - Number(SentTimestamp) < BURST_GATHER_MS;
      return receiveCount(e.record) - 1 - (gathered ? 1 : 0);
    }),
  );

/**
 * One SQS batch of notify jobs (one job per result and channel) from the FIFO notify queue, whose message groups are
 * the channels: one invocation at a time holds a channel's messages. Per channel, in order: as many single posts as
 * the target's rate limit allows in one go, then one summary of the rest. Channels are served side by side and
 * apart: one channel's throttling or failure never touches another's messages. Once a channel asks to wait, its
 * messages are held (made invisible) for that long, and with them, FIFO, every later message to it. Chat webhooks
 * are not idempotent: nothing that may have been posted is sent again.
 */
export const deliverNotifyBatch = async (
  rt: NotifyRuntime,
  log: Logger,
  records: SQSRecord[],
  timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
  pause: Pause = sleep,
): Promise<PromiseSettledResult<void>[]> => {
  const results = new Array<PromiseSettledResult<void>>(records.length);
  const byChannel = new Map<string, Entry[]>();
  records.forEach((record, index) => {
    let job: NotifyJob;
    try {
      job = parseRecord(record, NotifyJob, log);
    } catch (reason) {
      results[index] = { status: 'rejected', reason };
      return;
    }
    const entries = byChannel.get(job.channel) ?? [];
    // SQS delivers at least once: a second copy of a message in the same batch is posted once.
    if (entries.some((e) => e.job.jobId === job.jobId && e.job.outcome.status === job.outcome.status)) {
      log.info('second copy of a message in this batch: posted once', { jobId: job.jobId, channel: job.channel });
      results[index] = { status: 'fulfilled', value: undefined };
      return;
    }
    byChannel.set(job.channel, [...entries, { index, record, job }]);
  });
  await Promise.all(
    [...byChannel].map(async ([channel, entries]) => {
      for (const [entry, result] of await deliverToChannel(rt, log, channel, entries, timeLeftMs, pause)) results[entry.index] = result;
    }),
  );
  return results;
};

const deliverToChannel = async (
  rt: NotifyRuntime,
  log: Logger,
  channel: string,
  entries: Entry[],
  timeLeftMs: () => number,
  pause: Pause,
): Promise<Settled[]> => {
  const config = Object.hasOwn(rt.config.channels, channel) ? rt.config.channels[channel] : undefined;
  if (!config) {
    const problem = Object.hasOwn(rt.channelProblems, channel)
      ? `invalid SCANHOOK_CONFIG: ${rt.channelProblems[channel]}`
      : `channel "${channel}" is not configured`;
    log.error('channel cannot be used: message dead-lettered', { channel, problem, jobIds: entries.map((e) => e.job.jobId) });
    return deadLetter(rt, entries, problem);
  }
  const target: ChatTarget = { key: channel, config, plugin: channelPlugin(config.type) };
  const gatherMs = burstGatherMs(target, entries, rt.now());
  if (gatherMs > 0) {
    log.info('first results for a rate-limited channel: held a moment so that a burst becomes one summary', {
      channel,
      channelType: config.type,
      results: entries.length,
      holdMs: gatherMs,
    });
    return hold(rt, log, entries, gatherMs, { channel, channelType: config.type });
  }
  const pace = paceOf(target.plugin.rateLimit);
  const { singles, combined } = splitForRateLimit(entries, pace.posts);
  if (combined.length > 0) {
    log.info('more results than the channel may take at once: combining them into one summary', {
      channel,
      type: config.type,
      results: entries.length,
      singly: singles.length,
      combined: combined.length,
    });
  }
  const settled: Settled[] = [];
  // Once a post is deferred or failed, the channel's later posts in this batch are not tried: they wait with it.
  let waiting: Extract<Delivery, { result: 'deferred' | 'failed' }> | undefined;
  let posted = false;
  for (const unit of [...singles.map((e) => [e]), ...(combined.length > 0 ? [combined] : [])]) {
    const context: LogContext =
      unit.length === 1
        ? { jobId: unit[0]!.job.jobId, channel, channelType: config.type, outcome: unit[0]!.job.outcome.status }
        : { channel, channelType: config.type, jobIds: unit.map((e) => e.job.jobId) };
    const delivery: Delivery = waiting ?? (await post(rt, log, target, unit, timeLeftMs, context));
    // A held or failed post leaves its messages in flight, and the group locked, anyway.
    if (delivery.result === 'delivered' || delivery.result === 'dead') posted = true;
    if (delivery.result === 'deferred' || delivery.result === 'failed') waiting = delivery;
    recordDelivery(config.type, unit, delivery, rt.now());
    settled.push(...(await settle(rt, log, unit, delivery, context)));
  }
  // Holding the channel's group (its messages stay in flight until the invocation ends), so the next batch keeps the pace.
  if (posted && pace.gapMs > 0) await pause(Math.max(0, Math.min(pace.gapMs, timeLeftMs() - PAUSE_RESERVE_MS)));
  return settled;
};

/**
 * How long to hold a rate-limited channel's first results so that the rest of a burst joins them: until the oldest
 * is BURST_GATHER_MS old. Only on a first receive, so a message is held for this once.
 */
const burstGatherMs = (target: ChatTarget, entries: Entry[], now: Date): number => {
  if (target.plugin.rateLimit === 'unlimited' || entries.some((e) => receiveCount(e.record) > 1)) return 0;
  const oldest = Math.min(...entries.map((e) => Number(e.record.attributes.SentTimestamp) || now.getTime()));
  return Math.max(0, oldest + BURST_GATHER_MS - now.getTime());
};

/** Makes the messages invisible for `ms` (whole seconds, at least one) and hands them back to SQS. */
const hold = async (rt: NotifyRuntime, log: Logger, entries: Entry[], ms: number, context: LogContext): Promise<Settled[]> => {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  try {
    await rt.queue.holdNotify(
      entries.map((e) => e.record.receiptHandle),
      seconds,
    );
  } catch (err) {
    log.error('messages could not be held: SQS will deliver them again after their visibility timeout', { ...context, error: (err as Error).message });
  }
  const held = new RecordHeld(seconds);
  return entries.map((e) => failed(e, held));
};

/** One entry: its own notice. Several: one summary of them, rendered with the first job as its `job`. */
const post = (rt: NotifyRuntime, log: Logger, target: ChatTarget, unit: Entry[], timeLeftMs: () => number, context: LogContext): Promise<Delivery> => {
  const notices = unit.map(({ job }) => buildNotice(job, labelOf(job), localeOf(target.config)));
  const notice = notices.length === 1 ? notices[0]! : summaryNotice(notices, localeOf(target.config));
  return postNotice(rt, target, { job: unit[0]!.job, notice, now: rt.now() }, throttledSoFar(target, unit), timeLeftMs, (err, attempt, delayMs) =>
    log.warn('chat post retried', { ...context, code: err.code, attempt, delayMs }),
  );
};

/** MessageDelivered, MessageFailed (on the last try or dead-lettered) and MessageThrottled by channel type; push-to-message time. */
const recordDelivery = (channelType: string, unit: Entry[], delivery: Delivery, now: Date) => {
  const dimension: [string, string] = ['channelType', channelType];
  if (delivery.result === 'delivered') {
    recordMetric('MessageDelivered', dimension, unit.length);
    for (const { job } of unit) if (job.receivedAt) recordSeconds('PushToMessageSeconds', (now.getTime() - Date.parse(job.receivedAt)) / 1000);
  } else if (delivery.result === 'deferred' && delivery.code !== OUT_OF_TIME) recordMetric('MessageThrottled', dimension, unit.length);
  else if (delivery.result === 'dead') recordMetric('MessageFailed', dimension, unit.length);
};

const settle = async (rt: NotifyRuntime, log: Logger, unit: Entry[], delivery: Delivery, context: LogContext): Promise<Settled[]> => {
  const what = unit.length === 1 ? 'message' : `summary of ${unit.length} results`;
  switch (delivery.result) {
    case 'delivered':
      log.info(`${what} delivered`, context);
      rt.delivered?.(unit.map((e) => e.record));
      return unit.map(done);
    case 'deferred': {
      const why = delivery.code === OUT_OF_TIME ? 'no time left in this invocation' : 'channel asked to wait';
      if (unit.some((e) => receiveCount(e.record) >= rt.maxReceiveCount.notify)) {
        const reason = `${delivery.code}: ${why}, and this was the message's last receive`;
        log.error(`${what} cannot be delivered: dead-lettered`, { ...context, code: delivery.code });
        return deadLetter(rt, unit, reason);
      }
      log.warn(`${why}: ${what} held until then, with every later message to the channel`, { ...context, code: delivery.code, delayMs: delivery.delayMs });
      return hold(rt, log, unit, delivery.delayMs, context);
    }
    case 'dead': {
      const { error } = delivery;
      log.error(`${what} cannot be delivered: dead-lettered`, { ...context, code: error.code, status: error.status, kind: error.kind, reason: error.message });
      const prefix = unit.length === 1 ? '' : `${what}: `;
      const maybe = error.kind === 'ambiguous';
      return deadLetter(rt, unit, `${maybe ? `${DELIVERY_UNKNOWN}: ` : ''}${prefix}${error.code}: ${error.message}`, { mayHaveBeenDelivered: maybe });
    }
    case 'failed': {
      const last = unit.some((e) => receiveCount(e.record) >= rt.maxReceiveCount.notify);
      const error = (delivery.error as Error).message;
      if (last) {
        log.error(`${what} not delivered after its last try: the queue moves it to the DLQ`, { ...context, error });
        recordMetric('MessageFailed', ['channelType', String(context.channelType)], unit.length);
        await tellOps(rt, unit, `not delivered after ${rt.maxReceiveCount.notify} tries: ${error}`);
      } else log.warn(`${what} not delivered yet, SQS will redeliver`, { ...context, error });
      return unit.map((e) => failed(e, delivery.error));
    }
  }
};

const deadLetter = async (rt: NotifyRuntime, entries: Entry[], reason: string, opts: { mayHaveBeenDelivered?: boolean } = {}): Promise<Settled[]> => {
  const settled = await Promise.all(
    entries.map((e) =>
      rt.queue.sendToDeadLetter('notify', e.record.body, reason, opts).then(
        () => done(e),
        (err: unknown) => failed(e, err),
      ),
    ),
  );
  await tellOps(rt, entries, reason);
  return settled;
};

/** The ops channels hear of messages that will never be posted; failing to tell them never fails the batch. */
const tellOps = async (rt: NotifyRuntime, entries: Entry[], reason: string) => {
  const finishedAt = rt.now().toISOString();
  const notices = entries.flatMap(({ job }) =>
    opsNotices(
      rt.config.opsChannels,
      job,
      { type: job.scannerType, label: labelOf(job) },
      { queue: 'notify', reason: `${job.channel}: ${reason}`, finishedAt },
    ),
  );
  if (notices.length > 0) await rt.queue.sendNotify(notices).catch(() => undefined);
};
