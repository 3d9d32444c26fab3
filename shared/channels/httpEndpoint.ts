import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import type { NotifyJob } from '../messages/jobs.js';
import { channelFields, defineChannel, httpUrl, isPlainHttpAway, PLAIN_HTTP_CREDENTIALS, statusFailure } from './channel.js';
import type { Notice } from './notice.js';

const HttpEndpointChannelConfig = strictObject({
  type: z.literal('webhook'),
  /** Any endpoint: plain http too, unless the request carries a credential (a query, `headers`). */
  url: httpUrl,
  locale: channelFields.locale,
  /** Extra request headers, e.g. an Authorization for the receiver. Treated as secrets. */
  headers: z.optional(z.record(z.string(), z.string())),
}).check(
  z.superRefine((config, ctx) => {
    const url = URL.canParse(config.url) ? new URL(config.url) : undefined;
    if (url && isPlainHttpAway(url) && (url.search !== '' || Object.keys(config.headers ?? {}).length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: PLAIN_HTTP_CREDENTIALS });
    }
  }),
);

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
  // What changed since the baseline (or why nothing was compared), also inside `outcome.report`.
  ...(job.outcome.status === 'complete' && job.outcome.report.delta ? { delta: job.outcome.report.delta } : {}),
  ...(notice.kind === 'summary' ? { items: notice.items ?? [] } : {}),
  ...(job.rescan ? { rescan: job.rescan } : {}),
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
