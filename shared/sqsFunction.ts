import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WorkerRuntime } from './workerRuntime.js';

/**
 * An SQS-triggered function: hands the batch to `process`, which settles one promise per record;
 * rejected records are reported as `batchItemFailures`, so only they are redelivered.
 */
export const sqsFunction = (
  log: Logger,
  runtime: () => Promise<WorkerRuntime>,
  process: (rt: WorkerRuntime, records: SQSRecord[], context: Context | undefined) => Promise<PromiseSettledResult<unknown>[]>,
) =>
  middy(async (event: SQSEvent, context: Context) => process(await runtime(), event.Records, context)).use(
    sqsPartialBatchFailure({ logger: (reason: unknown, record: SQSRecord) => log.warn('record failed', { messageId: record.messageId, error: reason instanceof Error ? reason.message : String(reason) }) }),
  );

export const eachRecord =
  (log: Logger, handle: (rt: WorkerRuntime, log: Logger, record: SQSRecord) => Promise<void>) =>
  (rt: WorkerRuntime, records: SQSRecord[]) =>
    Promise.allSettled(records.map((record) => handle(rt, log, record)));
