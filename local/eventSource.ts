import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventSourceOptions {
  sqs: SQSClient;
  name: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  /** Lambda's MaximumBatchingWindowInSeconds: gather records until `batchSize` or this long after the first. */
  batchingWindowSeconds?: number;
  handler: SqsHandler;
  /** Batches handled at once, as Lambda runs several pollers. */
  concurrency?: number;
}

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

const lambdaContext = (name: string): Context =>
  ({
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

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
    const windowMs = (opts.batchingWindowSeconds ?? 0) * 1000;
    if (messages.length === 0 || windowMs === 0) return messages;
    const closesAt = Date.now() + windowMs;
    while (running && messages.length < opts.batchSize && Date.now() < closesAt) {
      const wait = Math.min(1, Math.max(0, Math.floor((closesAt - Date.now()) / 1000)));
      const more = await receive(opts.batchSize - messages.length, wait);
      messages.push(...more);
      if (more.length === 0 && wait === 0) await new Promise((r) => setTimeout(r, Math.min(100, closesAt - Date.now())));
    }
    return messages;
  };

  const pollOnce = async () => {
    const messages = await gatherBatch();
    if (messages.length === 0) return;
    const records = messages.map((m) => toRecord(m, opts.queueArn));
    let failed = new Set<string>();
    try {
      const result = await opts.handler({ Records: records }, lambdaContext(opts.name));
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0) {
      await opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  };

  for (let i = 0; i < (opts.concurrency ?? 2); i++) {
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
    },
  };
};
