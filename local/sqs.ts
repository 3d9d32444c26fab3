import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName, QueueUrls } from '../shared/queue/queueUrls.js';

export interface LocalQueues {
  sqs: SQSClient;
  urls: QueueUrls;
  arns: Record<QueueName, string>;
  stop(): Promise<void>;
}

/**
 * An SQS-compatible server in this process (fauxqs), with the queues, DLQs and redrive settings of serverless.yml:
 * both read shared/queue/queues.json. `visibilityTimeoutSeconds` overrides the timeouts, so tests see redeliveries quickly.
 */
export const startLocalQueues = async (opts: { visibilityTimeoutSeconds?: Partial<Record<QueueName, number>> } = {}): Promise<LocalQueues> => {
  const server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  const names: QueueName[] = ['intake', 'scan', 'poll', 'notify'];
  const urls: Partial<QueueUrls> = {};
  const arns: Partial<Record<QueueName, string>> = {};
  for (const name of names) {
    const s = settings[name];
    const suffix = s.fifo ? '.fifo' : '';
    const fifo: Record<string, string> = s.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
    const dlq = server.createQueue(`scanhook-local-${name}-dlq${suffix}`, {
      attributes: { ...fifo, MessageRetentionPeriod: String(settings.deadLetterRetentionSeconds) },
    });
    const queue = server.createQueue(`scanhook-local-${name}${suffix}`, {
      attributes: {
        ...fifo,
        VisibilityTimeout: String(opts.visibilityTimeoutSeconds?.[name] ?? s.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(s.maxReceiveCount) }),
      },
    });
    urls[name] = queue.queueUrl;
    urls[`${name}Dlq`] = dlq.queueUrl;
    arns[name] = queue.queueArn;
  }
  const sqs = new SQSClient({
    endpoint: server.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    sqs,
    urls: urls as QueueUrls,
    arns: arns as Record<QueueName, string>,
    stop: async () => {
      sqs.destroy();
      await server.stop();
    },
  };
};
