import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import { formatIssues } from '../config/zodIssues.js';

export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
}

/**
 * Parses an SQS record's body with the job's schema. A bad message is logged and throws, failing its record,
 * so SQS redelivers it until `maxReceiveCount` moves it to the DLQ.
 */
export const parseRecord = <S extends z.ZodMiniType>(record: SQSRecord, schema: S, log: Logger): z.infer<S> => {
  try {
    return parseBody(record, schema);
  } catch (err) {
    log.error('invalid job message', { messageId: record.messageId, error: (err as Error).message });
    throw err;
  }
};

const parseBody = <S extends z.ZodMiniType>(record: SQSRecord, schema: S): z.infer<S> => {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidMessageError('message body is not JSON');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidMessageError(`message does not match its schema: ${formatIssues(result.error)}`);
  return result.data;
};

export const receiveCount = (record: SQSRecord): number => Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1;

/** A record handed back to SQS on purpose, to come again in `seconds`: not a failure. */
export class RecordHeld extends Error {
  override name = 'RecordHeld';
  constructor(readonly seconds: number) {
    super(`held for ${seconds} s`);
  }
}
