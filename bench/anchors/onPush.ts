import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AcrPushPayload } from '../../shared/sources/acr.js';
import { httpAnchor, sendIntake } from './anchor.js';

/**
 * onPush on the official SDKs: the ACR trigger's token checked against the config, its payload parsed with the same
 * schema, one job queued on the intake queue (FIFO), 202. It calls no vendor, so one anchor stands for both vendors.
 */
export const handler = httpAnchor('onPush', async (rt, event: APIGatewayProxyEventV2) => {
  const source = rt.config.sources[event.pathParameters?.source ?? ''];
  if (!source || event.queryStringParameters?.token !== source.secret) return { statusCode: 401, body: '{"error":"unauthorized"}' };
  const { push_data: push, repository: repo } = AcrPushPayload.parse(JSON.parse(event.body ?? ''));
  const job = { jobId: randomUUID(), image: { region: repo.region, namespace: repo.namespace, repository: repo.name, tag: push.tag, digest: push.digest } };
  await sendIntake(rt, [
    {
      Id: '0',
      MessageBody: JSON.stringify(job),
      MessageGroupId: push.digest.slice(7),
      MessageDeduplicationId: createHash('sha256').update(job.jobId).digest('hex'),
    },
  ]);
  rt.log.info('webhook answered', { status: 202, accepted: 1 });
  return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accepted: 1, jobs: [job] }) };
});
