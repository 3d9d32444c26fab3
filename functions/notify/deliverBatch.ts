import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { localeOf } from '../../shared/channels/i18n.js';
import { channelPlugin } from '../../shared/channels/index.js';
import { buildNotice, summaryNotice } from '../../shared/channels/notice.js';
import { recordMetric, recordSeconds } from '../../shared/logging/metrics.js';
import { NotifyJob } from '../../shared/messages/jobs.js';
import { DELIVERY_UNKNOWN } from '../../shared/queue/jobQueue.js';
import { opsNotices } from '../../shared/queue/opsNotices.js';
import { parseRecord, receiveCount } from '../../shared/queue/records.js';
import { type ChatTarget, type Delivery, OUT_OF_TIME, postNotice } from './postNotice.js';
import { postsPerBatch, splitForRateLimit } from './rateLimit.js';
import type { NotifyRuntime } from './withChannels.js';

interface Entry {
  index: number;
  record: SQSRecord;
  job: NotifyJob;
}
type LogContext = Record<string, unknown>;
type Settled = [Entry, PromiseSettledResult<void>];
const done = (e: Entry): Settled => [e, { status: 'fulfilled', value: undefined }];
const failed = (e: Entry, reason: unknown): Settled => [e, { status: 'rejected', reason }];

const labelOf = (job: NotifyJob) => job.scannerLabel ?? job.scannerType;
const throttledSoFar = (entries: Entry[]) => Math.max(0, ...entries.map((e) => e.job.throttled ?? 0));

/**
 * One SQS batch of notify jobs (one job per result and channel). Per channel, in order: as many single posts as the
 * target's rate limit allows in one go, then one summary of the rest. Channels are served side by side and apart:
 * one channel's throttling or failure never touches another's messages. Once a channel asks to wait, the rest of its
 * posts in this batch wait with it. Chat webhooks are not idempotent: nothing that may have been posted is sent again.
 */
export const deliverNotifyBatch = async (
  rt: NotifyRuntime,
  log: Logger,
  records: SQSRecord[],
  timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
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
    // SQS delivers at least once: a second copy of a message in the same batch is posted once, with the higher count.
    const copy = entries.find((e) => e.job.jobId === job.jobId && e.job.outcome.status === job.outcome.status);
    if (copy) {
      const throttled = Math.max(copy.job.throttled ?? 0, job.throttled ?? 0);
      if (throttled > 0) copy.job = { ...copy.job, throttled };
      log.info('second copy of a message in this batch: posted once', { jobId: job.jobId, channel: job.channel });
      results[index] = { status: 'fulfilled', value: undefined };
      return;
    }
    byChannel.set(job.channel, [...entries, { index, record, job }]);
  });
  await Promise.all(
    [...byChannel].map(async ([channel, entries]) => {
      for (const [entry, result] of await deliverToChannel(rt, log, channel, entries, timeLeftMs)) results[entry.index] = result;
    }),
  );
  return results;
};

const deliverToChannel = async (rt: NotifyRuntime, log: Logger, channel: string, entries: Entry[], timeLeftMs: () => number): Promise<Settled[]> => {
  const config = Object.hasOwn(rt.config.channels, channel) ? rt.config.channels[channel] : undefined;
  if (!config) {
    const problem = Object.hasOwn(rt.channelProblems, channel)
      ? `invalid SCANHOOK_CONFIG: ${rt.channelProblems[channel]}`
      : `channel "${channel}" is not configured`;
    log.error('channel cannot be used: message dead-lettered', { channel, problem, jobIds: entries.map((e) => e.job.jobId) });
    return deadLetter(rt, entries, problem);
  }
  const target: ChatTarget = { key: channel, config, plugin: channelPlugin(config.type) };
  const budget = postsPerBatch(target.plugin.rateLimit);
  const { singles, combined } = splitForRateLimit(entries, budget);
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
  let waiting: Extract<Delivery, { result: 'deferred' }> | undefined;
  for (const unit of [...singles.map((e) => [e]), ...(combined.length > 0 ? [combined] : [])]) {
    const context: LogContext =
      unit.length === 1
        ? { jobId: unit[0]!.job.jobId, channel, channelType: config.type, outcome: unit[0]!.job.outcome.status }
        : { channel, channelType: config.type, jobIds: unit.map((e) => e.job.jobId) };
    const delivery: Delivery = waiting ?? (await post(rt, log, target, unit, timeLeftMs, context));
    if (delivery.result === 'deferred') waiting = delivery;
    recordDelivery(config.type, unit, delivery, rt.now());
    settled.push(...(await settle(rt, log, unit, delivery, context)));
  }
  return settled;
};

/** One entry: its own notice. Several: one summary of them, rendered with the first job as its `job`. */
const post = (rt: NotifyRuntime, log: Logger, target: ChatTarget, unit: Entry[], timeLeftMs: () => number, context: LogContext): Promise<Delivery> => {
  const notices = unit.map(({ job }) => buildNotice(job, labelOf(job), localeOf(target.config)));
  const notice = notices.length === 1 ? notices[0]! : summaryNotice(notices, localeOf(target.config));
  return postNotice(rt, target, { job: unit[0]!.job, notice, now: rt.now() }, throttledSoFar(unit), timeLeftMs, (err, attempt, delayMs) =>
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
      const throttled = Math.max(delivery.throttled, throttledSoFar(unit));
      const delaySeconds = Math.ceil(delivery.delayMs / 1000);
      try {
        await rt.queue.sendNotify(
          unit.map((e) => ({ ...e.job, ...(throttled > 0 ? { throttled } : {}) })),
          delaySeconds,
        );
      } catch (err) {
        log.error(`${what} could not be re-sent: SQS will redeliver it`, { ...context, error: (err as Error).message });
        return unit.map((e) => failed(e, err));
      }
      const why = delivery.code === OUT_OF_TIME ? 'no time left in this invocation' : 'channel asked to wait';
      log.warn(`${why}: ${what} re-sent as a delayed message`, { ...context, code: delivery.code, delaySeconds, throttled });
      return unit.map(done);
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
