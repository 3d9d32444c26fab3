import { readdirSync, readFileSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';

const EVENTS = new URL('../../events/', import.meta.url);

/** A sample payload from `events/`, e.g. `readEvent('acr/push.json')`. */
export const readEvent = (path: string): Record<string, any> => JSON.parse(readFileSync(new URL(path, EVENTS), 'utf8'));

/** The files of one folder of `events/`, e.g. `eventFiles('acr')`. */
export const eventFiles = (folder: string): string[] => readdirSync(new URL(`${folder}/`, EVENTS)).filter((f) => f.endsWith('.json'));

/** The job a sample SQS event carries in its first record, e.g. `jobOf('sqs/notify-complete.json')`. */
export const jobOf = (path: string): unknown => JSON.parse((readEvent(path).Records[0] as SQSRecord).body);

/** A made-up image digest, the same for the same seed: `sha256:` and the seed's bytes in hex, padded to 64 digits. */
export const digestOf = (seed: string): string => `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;

let sequence = 0;

/** An SQS record as Lambda hands it over, carrying `body` from `queue` (its ARN ends in `.fifo` for the intake queue). */
export const sqsRecord = (body: unknown, opts: { queue?: 'intake' | 'scan' | 'poll' | 'notify'; receiveCount?: number } = {}): SQSRecord => {
  const queue = opts.queue ?? 'scan';
  const name = queue === 'intake' ? 'scanhook-dev-intake.fifo' : `scanhook-dev-${queue}`;
  sequence += 1;
  return {
    messageId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    receiptHandle: `receipt-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(opts.receiveCount ?? 1),
      SentTimestamp: '1717243200000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1717243200000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:ap-southeast-1:123456789012:${name}`,
    awsRegion: 'ap-southeast-1',
  };
};
