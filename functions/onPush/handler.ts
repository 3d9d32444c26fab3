import '../../shared/runtime/zodJitless.js';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { functionLogger } from '../../shared/logging/logger.js';
import { once } from '../../shared/runtime/once.js';
import { loadRuntime, type Runtime } from '../../shared/runtime/runtime.js';
import { planJobs } from './planJobs.js';
import { readRequest, type WebhookHttpRequest } from './readRequest.js';

const log = functionLogger('onPush');

export interface WebhookHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The `reason` of a refusal, by its status. The webhook metrics (WebhookAccepted, WebhookRejected by reason) are
 * CloudWatch metric filters on the "webhook answered" log line (serverless.yml): no metrics library in this
 * function, which stays small for its cold start.
 */
const REJECTED: Record<number, string> = { 400: 'invalid_payload', 401: 'unauthorized', 404: 'unknown_source', 413: 'too_large', 415: 'unsupported_type' };

const reply = (statusCode: number, body: unknown): WebhookHttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * Reads the request (every 4xx is decided there, before anything is queued), plans the jobs it asks for, queues
 * them — scan jobs; for a registry's own scan results notify jobs; for scans the registry says ended, a status
 * check on the poll queue at once — and answers 202 with what was accepted.
 */
export const handleWebhook = async (rt: Runtime, req: WebhookHttpRequest): Promise<WebhookHttpResponse> => {
  const read = readRequest(rt.config, req);
  if ('error' in read) {
    const reason = REJECTED[read.statusCode] ?? `http_${read.statusCode}`;
    log.warn('webhook answered', { source: req.source, status: read.statusCode, reason, error: read.error.slice(0, 500) });
    return reply(read.statusCode, { error: read.error });
  }
  const plan = planJobs(rt.config, read, rt.now().toISOString());
  if (plan.scans.length > 0) await rt.queue.sendScanJobs(plan.scans);
  if (plan.notices.length > 0) await rt.queue.sendResults(plan.notices);
  await Promise.all(plan.checks.map((job) => rt.queue.sendPoll(job, 0)));
  for (const job of plan.accepted) log.info('job accepted', { source: req.source, ...job });
  log.info('webhook answered', { source: req.source, status: 202, accepted: plan.accepted.length, ignored: plan.ignored.length });
  return reply(202, { accepted: plan.accepted.length, ignored: plan.ignored, jobs: plan.accepted });
};

/** HTTP API `POST /webhooks/{source}`: a registry's push webhook in, scan jobs out. */
export const createOnPush = (runtime: () => Promise<Runtime>) =>
  middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    return handleWebhook(await runtime(), {
      source: event.pathParameters?.source ?? '',
      headers: event.headers ?? {},
      query: event.queryStringParameters ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    });
  }).use(injectLambdaContext(log));

export const handler = createOnPush(once(() => loadRuntime()));
