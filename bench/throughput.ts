import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createOnPush } from '../functions/onPush/handler.js';
import { parseConfig } from '../shared/config/config.js';
import type { JobQueue } from '../shared/queue/jobQueue.js';
import { defaultMaxReceiveCount, type Runtime } from '../shared/runtime/runtime.js';
import { pushEvent, testConfigFor } from './fixtures.js';

/** Webhooks per second through the onPush handler in this process, with the queue send counted, not sent. */
export const onPushThroughput = async (n = 5000) => {
  let queued = 0;
  const queue = {
    sendScanJobs: async (jobs: unknown[]) => {
      queued += jobs.length;
    },
  } as unknown as JobQueue;
  const runtime: Runtime = {
    config: parseConfig(testConfigFor('http://127.0.0.1:9')),
    queue,
    env: {},
    now: () => new Date(),
    maxReceiveCount: defaultMaxReceiveCount,
  };
  const handler = createOnPush(async () => runtime);
  const event = (i: number) =>
    ({
      pathParameters: { source: 'acr' },
      queryStringParameters: { token: 'bench-secret-0123456789' },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pushEvent(i)),
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;
  // Logging goes to /dev/null for the measurement: it is the handler's cost we want.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    for (let i = 0; i < 200; i++) await handler(event(i), {} as Context);
    const start = performance.now();
    for (let i = 0; i < n; i++) await handler(event(i), {} as Context);
    const seconds = (performance.now() - start) / 1000;
    return { perSecond: n / seconds, queued };
  } finally {
    process.stdout.write = write;
  }
};
