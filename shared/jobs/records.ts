import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { formatIssues } from '../zodPath.js';

export class InvalidMessageError extends Error {
  override name = 'InvalidMessageError';
}

/** Parses an SQS record's body with the job's schema; a bad message fails its record and so reaches the DLQ. */
export const parseRecord = <S extends z.ZodType>(record: SQSRecord, schema: S): z.infer<S> => {
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
