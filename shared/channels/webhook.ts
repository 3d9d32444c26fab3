import * as z from 'zod';
import { CallError } from '../errors.js';
import type { NotifyJob } from '../messages.js';
import type { Notice } from '../notice.js';
import { defineChannel, retryAfterMs } from './channel.js';

const WebhookChannelConfig = z.object({
  type: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/ }),
  /** Extra request headers, e.g. an Authorization for the receiver. Treated as secrets. */
  headers: z.record(z.string(), z.string()).optional(),
});

const EVENT: Record<NotifyJob['outcome']['status'], string> = {
  complete: 'scan.completed',
  failed: 'scan.failed',
  error: 'scan.error',
  timed_out: 'scan.timed_out',
};

/** The generic HTTP target: the unified result as JSON, for anyone's own tooling. */
export const webhookPayload = (job: NotifyJob, notice: Notice) => ({
  v: 1,
  event: EVENT[job.outcome.status],
  jobId: job.jobId,
  image: job.image,
  scanner: { name: job.scanner, type: job.scannerType },
  summary: notice.headline,
  worstSeverity: notice.worst ?? null,
  outcome: job.outcome,
  scanStartedAt: job.scanStartedAt ?? null,
  finishedAt: job.finishedAt,
});

export const webhookChannel = defineChannel({
  type: 'webhook',
  configSchema: WebhookChannelConfig,
  render: (config, { job, notice }) => ({
    url: config.url,
    headers: { 'content-type': 'application/json', ...config.headers },
    body: JSON.stringify(webhookPayload(job, notice)),
  }),
  check(res) {
    if (res.status >= 200 && res.status < 300) return undefined;
    const code = `HTTP${res.status}`;
    if (res.status === 429) {
      return new CallError({ kind: 'throttled', code, status: 429, message: 'webhook: rate limited', retryAfterMs: retryAfterMs(res.headers['retry-after'], 1000) });
    }
    const kind = [502, 503, 504].includes(res.status) ? 'unavailable' : res.status >= 500 ? 'ambiguous' : 'invalid';
    return new CallError({ kind, code, status: res.status, message: `webhook answered ${res.status}` });
  },
});
