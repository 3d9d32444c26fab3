import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import settings from '../shared/queue/queues.json' with { type: 'json' };
import type { QueueName, QueueUrls } from '../shared/queue/queueUrls.js';

export interface LocalQueues {
  sqs: SQSClient;
  urls: QueueUrls;
  arns: Record<QueueName, string>;
  /** The embedded server's address: always on loopback. */
  address: string;
  stop(): Promise<void>;
}

/**
 * An SQS-compatible server in this process (fauxqs), with the queues, DLQs and redrive settings of serverless.yml:
 * both read shared/queue/queues.json. `visibilityTimeoutSeconds` overrides the timeouts, so tests see redeliveries quickly.
 * fauxqs's own `startFauxqs` listens on 0.0.0.0 whatever host it is given, and the server has no authentication:
 * its app is listened on 127.0.0.1 here instead, and the queues are created through the SQS API.
 */
export const startLocalQueues = async (opts: { visibilityTimeoutSeconds?: Partial<Record<QueueName, number>> } = {}): Promise<LocalQueues> => {
  const app = buildApp({ logger: false, host: '127.0.0.1' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const sqs = new SQSClient({ endpoint: address, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const create = async (name: string, attributes: Record<string, string>) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
  };
  const names: QueueName[] = ['intake', 'scan', 'poll', 'notify'];
  const urls: Partial<QueueUrls> = {};
  const arns: Partial<Record<QueueName, string>> = {};
  try {
    for (const name of names) {
      const s = settings[name];
      const suffix = s.fifo ? '.fifo' : '';
      const fifo: Record<string, string> = s.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
      const dlq = await create(`scanhook-local-${name}-dlq${suffix}`, { ...fifo, MessageRetentionPeriod: String(settings.deadLetterRetentionSeconds) });
      const queue = await create(`scanhook-local-${name}${suffix}`, {
        ...fifo,
        VisibilityTimeout: String(opts.visibilityTimeoutSeconds?.[name] ?? s.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(s.maxReceiveCount) }),
      });
      urls[name] = queue.queueUrl;
      urls[`${name}Dlq`] = dlq.queueUrl;
      arns[name] = queue.queueArn;
    }
  } catch (err) {
    sqs.destroy();
    await app.close();
    throw err;
  }
  return {
    sqs,
    urls: urls as QueueUrls,
    arns: arns as Record<QueueName, string>,
    address,
    stop: async () => {
      sqs.destroy();
      await app.close();
    },
  };
};
