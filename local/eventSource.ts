import { AsyncLocalStorage } from 'node:async_hooks';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Invocation } from './sqs.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceOptions {
  sqs: SQSClient;
  name: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  handler: SqsHandler;
  /** Invocations at once (the mapping's maximumConcurrency, or Lambda's own scaling). */
  concurrency?: number;
  /** Loops receiving and gathering batches; defaults to `concurrency`. */
  pollers?: number;
  /**
   * The mapping's MaximumBatchingWindowInSeconds: once a message has arrived, keep gathering until the batch holds
   * `batchSize` or the window has passed. Without one, a batch is what one receive returns (at most 10), as in Lambda.
   */
  batchingWindowSeconds?: number;
  /** The function's timeout, which the handler's context counts down from. */
  timeoutSeconds?: number;
  /**
   * Durable queues (local/sqs.ts): each invocation's sends and the deletion of what it handled reach the disk
   * together, so a crash never leaves both a message and what it led to. Without: deleted with DeleteMessageBatch.
   */
  invocation?: () => Invocation;
}

const batches = new AsyncLocalStorage<{ ack(receiptHandles: string[]): void }>();

/**
 * Inside an invocation on durable queues: `ack` deletes some of its records at once instead of at the
 * end of the batch. Elsewhere: undefined.
 */
export const currentBatch = () => batches.getStore();

const toRecord = (m: Message, arn: string): SQSRecord => ({
  messageId: m.MessageId!,
  receiptHandle: m.ReceiptHandle!,
  body: m.Body ?? '',
  attributes: {
    ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: m.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
    ...(m.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId } : {}),
  },
  messageAttributes: Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType ?? 'String' }]),
  ),
  md5OfBody: m.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: arn,
  awsRegion: 'us-east-1',
});

const lambdaContext = (name: string, timeoutSeconds: number): Context => {
  const end = Date.now() + timeoutSeconds * 1000;
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
};

/**
 * Plays Lambda's SQS event source mapping: long-polls the queue, hands batches to the handler as real SQS events,
 * deletes what succeeded, and leaves `batchItemFailures` (or a whole failed batch) to reappear after the
 * visibility timeout — so redrive to the DLQ happens exactly as in AWS.
 */
export const startEventSource = (opts: EventSourceOptions) => {
  let running = true;
  const loops: Promise<void>[] = [];

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const res = await opts.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: opts.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return res.Messages ?? [];
  };

  const gatherBatch = async (): Promise<Message[]> => {
    const messages = await receive(opts.batchSize, 1);
    if (messages.length === 0 || !opts.batchingWindowSeconds) return messages;
    const windowEnd = Date.now() + opts.batchingWindowSeconds * 1000;
    while (messages.length < opts.batchSize) {
      const left = windowEnd - Date.now();
      if (left <= 0) break;
      const more = await receive(opts.batchSize - messages.length, Math.min(20, Math.floor(left / 1000)));
      messages.push(...more);
      // Under a second left is a short poll, which answers at once: pause before the next.
      if (more.length === 0 && left < 1000) await new Promise((r) => setTimeout(r, Math.min(left, 100)));
    }
    return messages;
  };

  const invoke = async (messages: Message[]) => {
    const records = messages.map((m) => toRecord(m, opts.queueArn));
    const invocation = opts.invocation?.();
    const call = () => opts.handler({ Records: records }, lambdaContext(opts.name, opts.timeoutSeconds ?? 30));
    let failed = new Set<string>();
    try {
      const ack = (receiptHandles: string[]) => invocation?.ack(opts.queueUrl, receiptHandles);
      const result = await (invocation ? invocation.run(() => batches.run({ ack }, call)) : call());
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (invocation) {
      invocation.commit(
        opts.queueUrl,
        done.map((r) => r.receiptHandle),
      );
      return;
    }
    for (let i = 0; i < done.length; i += 10) {
      await opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: done.slice(i, i + 10).map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  };

  // Pollers gather batches and hand them to invocations, at most `concurrency` at once, as Lambda does.
  const inFlight = new Set<Promise<void>>();
  const pollOnce = async () => {
    while (inFlight.size >= (opts.concurrency ?? 2)) await Promise.race(inFlight);
    const messages = await gatherBatch();
    if (messages.length === 0) return;
    const run: Promise<void> = invoke(messages)
      .catch((err: Error) => void process.stderr.write(`[${opts.name}] event source error: ${err.message}\n`))
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };

  for (let i = 0; i < (opts.pollers ?? opts.concurrency ?? 2); i++) {
    loops.push(
      (async () => {
        while (running) {
          try {
            await pollOnce();
          } catch (err) {
            if (running) process.stderr.write(`[${opts.name}] event source error: ${(err as Error).message}\n`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      })(),
    );
  }
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      await Promise.all(inFlight);
    },
  };
};
