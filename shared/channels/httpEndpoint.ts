import * as z from 'zod';
import type { NotifyJob } from '../messages/jobs.js';
import { channelFields, defineChannel, statusFailure } from './channel.js';
import type { Notice } from './notice.js';

const HttpEndpointChannelConfig = z.object({
  type: z.literal('webhook'),
  ...channelFields,
  /** Extra request headers, e.g. an Authorization for the receiver. Treated as secrets. */
  headers: z.record(z.string(), z.string()).optional(),
});

const EVENT: Record<Notice['kind'], string> = {
  complete: 'scan.completed',
  failed: 'scan.failed',
  error: 'scan.error',
  timed_out: 'scan.timed_out',
  summary: 'scan.summary',
};

/** The generic HTTP target: the unified result as JSON, for anyone's own tooling. `summary` is in the channel's locale. */
const endpointPayload = (job: NotifyJob, notice: Notice) => ({
  v: 1,
  event: EVENT[notice.kind],
  jobId: job.jobId,
  image: job.image,
  scanner: { name: job.scanner, type: job.scannerType },
  summary: notice.headline,
  worstSeverity: notice.worst ?? null,
  outcome: job.outcome,
  ...(notice.kind === 'summary' ? { items: notice.items ?? [] } : {}),
  scanStartedAt: job.scanStartedAt ?? null,
  finishedAt: job.finishedAt,
});

export const httpEndpointChannel = defineChannel({
  type: 'webhook',
  rateLimit: 'unlimited', // Any HTTP endpoint: no known limit.
  configSchema: HttpEndpointChannelConfig,
  render: (config, { job, notice }) => ({
    url: config.url,
    headers: { 'content-type': 'application/json', ...config.headers },
    body: JSON.stringify(endpointPayload(job, notice)),
  }),
  check: (res) => (res.status >= 200 && res.status < 300 ? undefined : statusFailure('HTTP endpoint', res)),
});
