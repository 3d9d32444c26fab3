import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { channelPlugin } from '../channels/registry.js';
import { CallError } from '../errors.js';
import { localeOf } from '../i18n.js';
import { NotifyJob } from '../messages.js';
import { buildNotice } from '../notice.js';
import { withRetry } from '../retry.js';
import { scanners } from '../scanners/registry.js';
import type { WorkerRuntime } from '../workerRuntime.js';
import { parseRecord } from './records.js';

/**
 * Posts one scan result to one channel. Throttling and outages are retried (here, then by SQS redelivery);
 * a failure that cannot succeed, or a reply that may mean the post went through, goes to the DLQ unsent again:
 * chat webhooks are not idempotent. Logs name the channel by its config key only.
 */
export const deliverNotice = async (rt: WorkerRuntime, log: Logger, record: SQSRecord): Promise<void> => {
  const job = parseRecord(record, NotifyJob, log);
  const context = { jobId: job.jobId, channel: job.channel, outcome: job.outcome.status };
  const config = rt.config.channels[job.channel];
  if (!config) {
    log.error('channel is not in the config: message dead-lettered', context);
    await rt.queue.sendToDeadLetter('notify', record.body, `channel "${job.channel}" is not configured`);
    return;
  }
  const plugin = channelPlugin(config.type);
  const notice = buildNotice(job, scanners[job.scannerType]?.label ?? job.scannerType, localeOf(config));
  const request = plugin.render(config, { job, notice, now: rt.now() });
  try {
    await withRetry(
      rt.retry,
      async () => {
        const res = await rt.http.send({ method: 'POST', ...request }, `channel "${job.channel}"`);
        const failure = plugin.check(res);
        if (failure) throw failure;
      },
      (err, attempt, delayMs) => log.warn('chat post retried', { ...context, code: err.code, attempt, delayMs }),
    );
    log.info('message delivered', { ...context, type: config.type });
  } catch (err) {
    if (err instanceof CallError && !err.retryable) {
      log.error('message cannot be delivered: dead-lettered', { ...context, code: err.code, status: err.status, kind: err.kind, reason: err.message });
      await rt.queue.sendToDeadLetter('notify', record.body, `${err.code}: ${err.message}`);
      return;
    }
    log.warn('message not delivered yet, SQS will redeliver', { ...context, error: (err as Error).message });
    throw err;
  }
};
