import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { RecordHeld } from './records.js';

/**
 * An SQS-triggered function: hands the batch to `process`, which settles one promise per record;
 * rejected records are reported as `batchItemFailures`, so only they are redelivered.
 */
export const sqsFunction = <R>(
  log: Logger,
  runtime: () => Promise<R>,
  process: (rt: R, records: SQSRecord[], context: Context | undefined) => Promise<PromiseSettledResult<unknown>[]>,
) =>
  middy(async (event: SQSEvent, context: Context) => process(await runtime(), event.Records, context))
    // Request id and cold start on every log line of the invocation.
    .use(injectLambdaContext(log))
    .use(
      sqsPartialBatchFailure({
        logger: (reason: unknown, record: SQSRecord) =>
          reason instanceof RecordHeld
            ? log.debug('record held', { messageId: record.messageId, seconds: reason.seconds })
            : log.warn('record failed', { messageId: record.messageId, error: reason instanceof Error ? reason.message : String(reason) }),
      }),
    );
