import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { functionLogger } from '../shared/logger.js';
import { loadRuntime, once, type Runtime } from '../shared/runtime.js';
import { handleWebhook } from '../shared/webhook.js';

const log = functionLogger('onPush');

/** HTTP API `POST /webhooks/{source}`: a registry's push webhook in, scan jobs out. */
export const createOnPush = (runtime: () => Promise<Runtime>) =>
  middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    const rt = await runtime();
    const res = await handleWebhook(rt, {
      source: event.pathParameters?.source ?? '',
      headers: event.headers ?? {},
      query: event.queryStringParameters ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    });
    const level = res.statusCode >= 400 ? 'warn' : 'info';
    log[level]('webhook answered', { source: event.pathParameters?.source, status: res.statusCode, reply: res.body.slice(0, 500) });
    return res;
  });

export const handler = createOnPush(once(() => loadRuntime()));
