import awsLite from '@aws-lite/client';

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

/**
 * An error SQS answered with. `name` is SQS's error code; `$fault` and `$retryable` say, as the AWS SDK does, whether
 * the request itself was at fault (a refused message) and whether sending it again may succeed (a throttle).
 */
export class SqsError extends Error {
  constructor(
    readonly name: string,
    readonly $fault: 'client' | 'server',
    readonly $retryable: boolean,
    readonly statusCode: number | undefined,
  ) {
    super(`SQS answered ${name}`);
  }
}

export interface SqsClientOptions {
  /** Default: AWS_ENDPOINT_URL_SQS as the AWS SDK reads it (local SQS), else the region's SQS endpoint. */
  endpoint?: string;
  /** Default: AWS_REGION (set by Lambda). */
  region?: string;
  /** Default: the credentials of the environment (Lambda's role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Headers added to every request (local mode ties a request to the invocation that sent it). */
  headers?: () => Record<string, string>;
}

// aws-lite would read bodies of SQS's content type (application/x-amz-json-1.0) as DynamoDB's typed JSON: SQS's is
// plain JSON, so requests say `awsjson: false` and responses are read as JSON.
const THROTTLES = new Set(['RequestThrottled', 'ThrottlingException', 'Throttling', 'KmsThrottled']);

/** SQS's error code, from the JSON protocol's `__type` (`com.amazonaws.sqs#QueueDoesNotExist`) or its query-compatible header. */
const sqsError = (err: unknown): unknown => {
  const e = err as { statusCode?: number; __type?: string; code?: string; headers?: Record<string, string> };
  if (e?.statusCode === undefined) return err;
  const [queryCode, queryFault] = (e.headers?.['x-amzn-query-error'] ?? '').split(';');
  const type = (e.__type ?? e.code ?? 'UnknownError').split('#').pop()!;
  const name = type === 'UnknownError' && queryCode ? queryCode : type;
  const fault = queryFault === 'Sender' || (e.statusCode >= 400 && e.statusCode < 500) ? 'client' : 'server';
  return new SqsError(name, fault, THROTTLES.has(name) || e.statusCode === 429 || e.statusCode >= 500, e.statusCode);
};

/**
 * SQS through aws-lite (AWS JSON protocol). aws-lite's SQS
 * plugin (0.2) has neither SendMessageBatch nor ChangeMessageVisibility, so every action goes through its client,
 * which signs, retries throttles and 5xx, and parses errors. The client is made on the first call.
 */
export const createSqsClient = (opts: SqsClientOptions = {}, env: NodeJS.ProcessEnv = process.env): SqsClient => {
  const endpoint = opts.endpoint ?? env.AWS_ENDPOINT_URL_SQS;
  let client: ReturnType<typeof awsLite> | undefined;
  const call = async <T>(action: string, input: object): Promise<T> => {
    client ??= awsLite({ ...(opts.region ? { region: opts.region } : {}), ...opts.credentials, retries: 2, responseContentType: 'application/json' }).catch(
      (err: unknown) => {
        client = undefined;
        throw err;
      },
    );
    const aws = await client;
    try {
      const res = await aws({
        service: 'sqs',
        ...(endpoint ? { endpoint } : {}),
        path: '/',
        method: 'POST',
        awsjson: false,
        headers: { 'X-Amz-Target': `AmazonSQS.${action}`, 'content-type': 'application/x-amz-json-1.0', ...opts.headers?.() },
        payload: input,
      });
      return (res.payload ?? {}) as T;
    } catch (err) {
      throw sqsError(err);
    }
  };
  return {
    sendMessage: (input) => call('SendMessage', input),
    sendMessageBatch: (input) => call('SendMessageBatch', input),
    changeMessageVisibilityBatch: (input) => call('ChangeMessageVisibilityBatch', input),
  };
};
