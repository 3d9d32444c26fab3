import { SQSClient } from '@aws-sdk/client-sqs';
import { startEventSource } from '../local/eventSource.js';
import { startHttpFront } from '../local/httpFront.js';
import { localRuntime, wireFunctions } from '../local/wireFunctions.js';
import { createJobQueue } from '../shared/queue/jobQueue.js';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName, QueueUrls } from '../shared/queue/queueUrls.js';
import { createSqsClient } from '../shared/queue/sqsClient.js';

export type FunctionName = 'onPush' | 'startScan' | 'pollStatus' | 'notify';

/**
 * What the bench hands a function's process: its name, the queue it reads (none for onPush), the environment, and the
 * queues on the bench's SQS server.
 */
export interface FunctionStart {
  name: FunctionName;
  queue?: QueueName;
  env: NodeJS.ProcessEnv;
  sqsAddress: string;
  urls: QueueUrls;
  arns: Record<QueueName, string>;
}

/** A function's process tells the bench when it is ready (onPush: its webhook URL) and, once stopped, its peak RSS. */
export type FunctionReport = { ready: true; url?: string } | { peakRssMb: number };

/**
 * One instance of a scanhook function in a process of its own, as a Lambda container runs it: one invocation at a
 * time, from one queue (onPush: every webhook that comes), wired as local/stack.ts wires it, against the bench's SQS
 * server. So its peak RSS is its own.
 */
const runFunction = async ({ name, queue, env, sqsAddress, urls, arns }: FunctionStart) => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  // The event source plays Lambda's poller (the AWS SDK, as local mode's); the function sends with its own client.
  const sqs = new SQSClient({ endpoint: sqsAddress, region: 'us-east-1', credentials });
  const runtime = await localRuntime(env, createJobQueue(createSqsClient({ endpoint: sqsAddress, region: 'us-east-1', credentials }), urls));
  const { clients, onPush, handlers } = wireFunctions(runtime);
  if (name === 'onPush') {
    const front = await startHttpFront(onPush, 0);
    return {
      url: front.url,
      stop: async () => {
        await new Promise<void>((resolve) => front.server.close(() => resolve()));
        await clients.http.close();
      },
    };
  }
  if (!queue) throw new Error(`${name} reads a queue`);
  const source = startEventSource({
    sqs,
    name,
    queueUrl: urls[queue],
    queueArn: arns[queue],
    batchSize: settings[queue].batchSize,
    handler: handlers[queue],
    timeoutSeconds: settings.functionTimeoutSeconds,
    concurrency: 1,
    ...(queue === 'scan' ? { batchingWindowSeconds: settings.scan.batchingWindowSeconds } : {}),
  });
  return {
    stop: async () => {
      await source.stop();
      await clients.http.close();
    },
  };
};

process.once('message', async (start: FunctionStart) => {
  const running = await runFunction(start);
  process.send!({ ready: true, ...(running.url ? { url: running.url } : {}) } satisfies FunctionReport);
  process.once('message', async () => {
    await running.stop();
    process.send!({ peakRssMb: process.resourceUsage().maxRSS / 1024 } satisfies FunctionReport, () => process.exit(0));
  });
});
