import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { jsonObject } from '../shared/http/jsonObject.js';
import { channelGroup } from '../shared/messages/jobId.js';
import { DELIVERY_UNKNOWN } from '../shared/queue/jobQueue.js';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName } from '../shared/queue/queueUrls.js';
import { sha256Hex } from '../shared/vendors/encoding.js';

const QUEUES: QueueName[] = ['intake', 'scan', 'poll', 'notify'];

/** Where the queues of one deployment are: a stage on AWS, or `npm start` on this machine. */
export interface Deployment {
  sqs: SQSClient;
  /** The queue's name (`scanhook-prod-scan`, `scanhook-local-intake.fifo`); `dlq` for its dead-letter queue. */
  queueName(queue: QueueName, dlq: boolean): string;
}

export interface DeadLetter {
  queue: QueueName;
  jobId: string;
  image: string;
  reason: string;
  mayHaveBeenDelivered: boolean;
}

const fifo = (queue: QueueName) => (settings[queue].fifo ? '.fifo' : '');

/** A stage on AWS: queues named by serverless.yml, credentials and region from the usual AWS variables. */
export const awsStage = (stage: string, region?: string): Deployment => ({
  sqs: new SQSClient(region ? { region } : {}),
  queueName: (queue, dlq) => `scanhook-${stage}-${queue}${dlq ? '-dlq' : ''}${fifo(queue)}`,
});

/** The `npm start` running on this machine: its SQS server listens on PORT + 1. */
export const localRun = (port: number): Deployment => ({
  sqs: new SQSClient({ endpoint: `http://127.0.0.1:${port + 1}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  queueName: (queue, dlq) => `scanhook-local-${queue}${dlq ? '-dlq' : ''}${fifo(queue)}`,
});

const urlOf = async (d: Deployment, queue: QueueName, dlq: boolean) =>
  (await d.sqs.send(new GetQueueUrlCommand({ QueueName: d.queueName(queue, dlq) }))).QueueUrl!;

const describe = (queue: QueueName, message: Message): DeadLetter => {
  let job: { jobId?: string; image?: { namespace?: string; repository?: string; tag?: string; digest?: string } } = {};
  try {
    job = JSON.parse(message.Body ?? '');
  } catch {
    // A body that is not a job is listed as such.
  }
  const image = job.image
    ? `${job.image.namespace}/${job.image.repository}${job.image.tag ? `:${job.image.tag}` : `@${job.image.digest?.slice(0, 19)}…`}`
    : '(not a job)';
  const attributes = message.MessageAttributes ?? {};
  return {
    queue,
    jobId: job.jobId ?? '-',
    image,
    reason: attributes.reason?.StringValue ?? `moved by SQS after ${settings[queue].maxReceiveCount} failed receives`,
    mayHaveBeenDelivered: attributes.delivery?.StringValue === DELIVERY_UNKNOWN,
  };
};

/** Every message of the queue, left where it is: read with no visibility timeout, each counted once. */
const peek = async (d: Deployment, url: string): Promise<Message[]> => {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 100; round++) {
    const res = await d.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = (res.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (fresh.length === 0) break;
    for (const m of fresh) seen.set(m.MessageId!, m);
  }
  return [...seen.values()];
};

/** What sits in the dead-letter queues (all four, or one). */
export const listDeadLetters = async (d: Deployment, only?: QueueName): Promise<DeadLetter[]> => {
  const out: DeadLetter[] = [];
  for (const queue of only ? [only] : QUEUES) out.push(...(await peek(d, await urlOf(d, queue, true))).map((m) => describe(queue, m)));
  return out;
};

/**
 * Moves dead letters back to their queues to be tried again. A notify job that may already have been posted is left
 * in place unless asked for: posting it again could make a second message.
 */
export const redrive = async (d: Deployment, opts: { only?: QueueName; includeMaybeDelivered?: boolean } = {}) => {
  const moved: DeadLetter[] = [];
  const kept: DeadLetter[] = [];
  for (const queue of opts.only ? [opts.only] : QUEUES) {
    const dlqUrl = await urlOf(d, queue, true);
    const targetUrl = await urlOf(d, queue, false);
    const seen = new Set<string>();
    // Kept letters stay hidden until the queue has been read through (or they would be read again), then are shown.
    const hidden: string[] = [];
    for (let round = 0; round < 1000; round++) {
      const res = await d.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
      );
      const fresh = (res.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId!);
        const letter = describe(queue, message);
        if (letter.mayHaveBeenDelivered && !opts.includeMaybeDelivered) {
          kept.push(letter);
          hidden.push(message.ReceiptHandle!);
          continue;
        }
        const body = message.Body ?? '';
        const group = settings[queue].fifo
          ? { MessageGroupId: groupOf(queue, body, letter), MessageDeduplicationId: sha256Hex(`${body}|redrive|${Date.now()}`) }
          : {};
        await d.sqs.send(new SendMessageCommand({ QueueUrl: targetUrl, MessageBody: body, ...group }));
        await d.sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
        moved.push(letter);
      }
    }
    for (const receiptHandle of hidden) {
      await d.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: dlqUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
    }
  }
  return { moved, kept };
};

/** A notify job goes back into its channel's group, so it waits behind whatever that channel asked to wait for. */
const groupOf = (queue: QueueName, body: string, letter: DeadLetter): string => {
  if (queue !== 'notify') return letter.jobId;
  const channel = jsonObject(body)?.channel;
  return typeof channel === 'string' ? channelGroup(channel) : letter.jobId;
};

const line = (l: DeadLetter) =>
  [l.queue.padEnd(6), l.jobId.padEnd(36), l.image, `— ${l.reason}${l.mayHaveBeenDelivered ? ' [may have been delivered]' : ''}`].join('  ');

const USAGE = `usage: npm run dlq -- list [queue] [--stage STAGE] [--region REGION]
       npm run dlq -- redrive [queue] [--stage STAGE] [--region REGION] [--include-maybe-delivered]
  queue: intake, scan, poll or notify (default: all four)
  without --stage: the npm start running on this machine (same PORT as it)`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const usage = () => {
    process.stderr.write(`${USAGE}\n`);
    return process.exit(2);
  };
  const options = { stage: { type: 'string' }, region: { type: 'string' }, 'include-maybe-delivered': { type: 'boolean' } } as const;
  const { values, positionals } = (() => {
    try {
      return parseArgs({ args: process.argv.slice(2), options, allowPositionals: true });
    } catch {
      return usage();
    }
  })();
  const { stage, region } = values;
  const includeMaybeDelivered = values['include-maybe-delivered'] === true;
  const [command, queue] = positionals;
  if ((command !== 'list' && command !== 'redrive') || (queue !== undefined && !QUEUES.includes(queue as QueueName))) usage();
  const deployment = stage ? awsStage(stage, region) : localRun(Number(process.env.PORT ?? 3000));
  const only = queue as QueueName | undefined;
  try {
    if (command === 'list') {
      const letters = await listDeadLetters(deployment, only);
      process.stdout.write(letters.length === 0 ? 'no dead letters\n' : `${letters.map(line).join('\n')}\n`);
    } else {
      const { moved, kept } = await redrive(deployment, { ...(only ? { only } : {}), includeMaybeDelivered });
      process.stdout.write(
        `moved back ${moved.length}${kept.length ? `; kept ${kept.length} that may have been delivered (--include-maybe-delivered moves them too)` : ''}\n`,
      );
    }
  } catch (err) {
    const name = (err as Error).name;
    process.stderr.write(
      name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue'
        ? `no such queue: is ${stage ? `stage "${stage}" deployed` : '`npm start` running on this PORT'}?\n`
        : `dlq failed: ${name === 'TypeError' || /ECONNREFUSED/.test(String((err as Error).message)) ? 'cannot reach the queues (is `npm start` running?)' : name}\n`,
    );
    process.exit(1);
  }
}
