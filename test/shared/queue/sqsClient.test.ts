import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '../../../local/sqs.js';
import { AwsError } from '../../../shared/http/awsJson.js';
import { createSqsClient } from '../../../shared/queue/sqsClient.js';

/** The functions' SQS client against a local SQS server; what arrived is read back with the AWS SDK. */
let queues: LocalQueues;
beforeAll(async () => {
  queues = await startLocalQueues({ visibilityTimeoutSeconds: { scan: 30 } });
});
afterAll(() => queues?.stop());

const receive = async (url: string, visibility?: number) =>
  (
    await queues.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
        ...(visibility !== undefined ? { VisibilityTimeout: visibility } : {}),
      }),
    )
  ).Messages ?? [];

describe('the SQS client the functions send with', () => {
  it('sends one message with its attributes, and to a FIFO queue with its group and deduplication id', async () => {
    const client = queues.queueClient;
    const { MessageId } = await client.sendMessage({
      QueueUrl: queues.urls.pollDlq,
      MessageBody: '{"a":1}',
      MessageAttributes: { reason: { DataType: 'String', StringValue: 'why' } },
    });
    expect(MessageId).toBeTruthy();
    const [plain] = await receive(queues.urls.pollDlq);
    expect(plain).toMatchObject({ Body: '{"a":1}', MessageAttributes: { reason: { StringValue: 'why' } } });

    await client.sendMessage({ QueueUrl: queues.urls.intake, MessageBody: 'fifo', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' });
    await client.sendMessage({ QueueUrl: queues.urls.intake, MessageBody: 'fifo again', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' });
    const fifo = await receive(queues.urls.intake);
    expect(fifo.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([['fifo', 'g1']]);
  });

  it('sends a batch, holding back the entries with a delay', async () => {
    const res = await queues.queueClient.sendMessageBatch({
      QueueUrl: queues.urls.poll,
      Entries: [
        { Id: '0', MessageBody: 'now' },
        { Id: '1', MessageBody: 'later', DelaySeconds: 60 },
      ],
    });
    expect(res.Successful?.map((s) => s.Id).sort()).toEqual(['0', '1']);
    expect((await receive(queues.urls.poll)).map((m) => m.Body)).toEqual(['now']);
  });

  it('reports a batch entry SQS refuses as a sender fault, beside the ones it took', async () => {
    const res = await queues.queueClient.sendMessageBatch({
      QueueUrl: queues.urls.intake,
      Entries: [
        { Id: '0', MessageBody: 'grouped', MessageGroupId: 'g2', MessageDeduplicationId: 'd2' },
        { Id: '1', MessageBody: 'no group' },
      ],
    });
    expect(res.Successful?.map((s) => s.Id)).toEqual(['0']);
    expect(res.Failed).toEqual([expect.objectContaining({ Id: '1', SenderFault: true, Code: 'MissingParameter' })]);
  });

  it('changes received messages visibility in a batch: at 0 they can be received again at once; an unknown handle fails alone', async () => {
    await queues.queueClient.sendMessage({ QueueUrl: queues.urls.scan, MessageBody: 'again' });
    const [first] = await receive(queues.urls.scan, 30);
    expect(await receive(queues.urls.scan)).toEqual([]);
    const res = await queues.queueClient.changeMessageVisibilityBatch({
      QueueUrl: queues.urls.scan,
      Entries: [
        { Id: '0', ReceiptHandle: first!.ReceiptHandle!, VisibilityTimeout: 0 },
        { Id: '1', ReceiptHandle: 'no-such-handle', VisibilityTimeout: 0 },
      ],
    });
    expect(res.Successful?.map((s) => s.Id)).toEqual(['0']);
    expect(res.Failed?.map((f) => f.Id)).toEqual(['1']);
    expect((await receive(queues.urls.scan)).map((m) => m.Body)).toEqual(['again']);
  });

  it("names SQS's error and whose fault it is, as the AWS SDK does", async () => {
    const err = await queues.queueClient.sendMessage({ QueueUrl: `${queues.urls.scan}-missing`, MessageBody: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsError);
    expect(err).toMatchObject({ name: 'QueueDoesNotExist', $fault: 'client', $retryable: false });
  });

  it('a server that is not there is not a client fault (the job is retried, not dropped)', async () => {
    const client = createSqsClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const err = (await client.sendMessage({ QueueUrl: queues.urls.scan, MessageBody: 'x' }).catch((e: unknown) => e)) as { $fault?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.$fault).not.toBe('client');
  });
});
