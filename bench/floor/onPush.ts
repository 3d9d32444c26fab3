import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { functionLogger } from '../../shared/logging/logger.js';
import { floorRuntime } from './runtime.js';

const Push = z.looseObject({ push_data: z.looseObject({ tag: z.string(), digest: z.string() }) });
const log = functionLogger('floor-onPush');

/** onPush's floor: Powertools Logger under middy, the body parsed, one job queued on the intake queue (FIFO), 202. */
export const handler = middy(async (event: APIGatewayProxyEventV2) => {
  const rt = await floorRuntime();
  const push = Push.parse(JSON.parse(event.body ?? '')).push_data;
  const group = push.digest.slice(7);
  await rt.sqs.sendMessageBatch({
    QueueUrl: process.env.INTAKE_QUEUE_URL ?? '',
    Entries: [{ Id: '0', MessageBody: JSON.stringify(push), MessageGroupId: group, MessageDeduplicationId: group }],
  });
  log.info('webhook answered', { status: 202 });
  return { statusCode: 202, body: '{"accepted":1}' };
}).use(injectLambdaContext(log));
