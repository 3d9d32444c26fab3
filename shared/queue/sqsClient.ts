import { type AwsClientOptions, awsJsonCaller } from '../http/awsJson.js';

/** A message attribute as SQS takes it (scanhook only sends strings). */
export interface MessageAttribute {
  DataType: 'String';
  StringValue: string;
}

export interface SendMessageInput {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, MessageAttribute>;
  /** FIFO queues only. */
  MessageGroupId?: string;
  /** FIFO queues only. */
  MessageDeduplicationId?: string;
}

export type SendMessageBatchRequestEntry = Omit<SendMessageInput, 'QueueUrl'> & { Id: string };

export interface SendMessageBatchInput {
  QueueUrl: string;
  Entries: SendMessageBatchRequestEntry[];
}

export interface SendMessageBatchOutput {
  Successful?: { Id: string; MessageId?: string }[];
  Failed?: { Id: string; Code?: string; SenderFault?: boolean; Message?: string }[];
}

export interface ChangeMessageVisibilityBatchInput {
  QueueUrl: string;
  Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
}

export interface ChangeMessageVisibilityBatchOutput {
  Successful?: { Id: string }[];
  Failed?: { Id: string; Code?: string; SenderFault?: boolean; Message?: string }[];
}

/** The SQS actions the functions use, with SQS's own field names. */
export interface SqsClient {
  sendMessage(input: SendMessageInput): Promise<{ MessageId?: string }>;
  sendMessageBatch(input: SendMessageBatchInput): Promise<SendMessageBatchOutput>;
  changeMessageVisibilityBatch(input: ChangeMessageVisibilityBatchInput): Promise<ChangeMessageVisibilityBatchOutput>;
}

export interface SqsClientOptions extends AwsClientOptions {
  /** Default: AWS_ENDPOINT_URL_SQS as the AWS SDK reads it (local SQS), else the region's SQS endpoint. */
  endpoint?: string;
  /** Headers added to every request (local mode ties a request to the invocation that sent it). */
  headers?: () => Record<string, string>;
}

/**
 * SQS through aws-lite (AWS JSON protocol). aws-lite's SQS plugin (0.2) has neither SendMessageBatch nor
 * ChangeMessageVisibilityBatch, so every action goes through its client. Errors are AwsErrors named by SQS's code.
 */
export const createSqsClient = (opts: SqsClientOptions = {}, env: NodeJS.ProcessEnv = process.env): SqsClient => {
  const endpoint = opts.endpoint ?? env.AWS_ENDPOINT_URL_SQS;
  const aws = awsJsonCaller({ ...(opts.region ? { region: opts.region } : {}), ...(opts.credentials ? { credentials: opts.credentials } : {}) });
  const call = <T>(action: string, payload: object) =>
    aws<T>({ service: 'sqs', target: `AmazonSQS.${action}`, version: '1.0', payload, ...(endpoint ? { endpoint } : {}), headers: opts.headers?.() ?? {} });
  return {
    sendMessage: (input) => call('SendMessage', input),
    sendMessageBatch: (input) => call('SendMessageBatch', input),
    changeMessageVisibilityBatch: (input) => call('ChangeMessageVisibilityBatch', input),
  };
};
