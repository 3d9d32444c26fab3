import awsLite from '@aws-lite/client';

type AwsLite = Awaited<ReturnType<typeof awsLite>>;

export interface AwsClientOptions {
  /** Default: AWS_REGION (set by Lambda). */
  region?: string;
  /** Default: the credentials of the environment (Lambda's role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An error an AWS service answered with, or the reason no request could be made. `name` is the service's error code;
 * `$fault` and `$retryable` say, as the AWS SDK does, whether the request itself was at fault (a refused message) and
 * whether sending it again may succeed (a throttle, a 5xx).
 */
export class AwsError extends Error {
  constructor(
    readonly name: string,
    readonly $fault: 'client' | 'server',
    readonly $retryable: boolean,
    readonly statusCode?: number,
  ) {
    super(statusCode === undefined ? name : `AWS answered ${name}`);
  }
}

const THROTTLES = new Set(['RequestThrottled', 'ThrottlingException', 'Throttling', 'KmsThrottled']);

/**
 * aws-lite's error as an AwsError: the code from the JSON protocol's `__type` (`com.amazonaws.sqs#QueueDoesNotExist`)
 * or SQS's query-compatible header; before any request, what was missing. Never its message, which may quote a request.
 */
const awsError = (err: unknown): unknown => {
  const e = err as { statusCode?: number; __type?: string; code?: string; message?: string; headers?: Record<string, string> };
  if (e?.statusCode === undefined) {
    if (/AWS region/i.test(e?.message ?? '')) return new AwsError('RegionMissing', 'client', false);
    if (/AWS credentials/i.test(e?.message ?? '')) return new AwsError('CredentialsProviderError', 'client', false);
    return err;
  }
  const [queryCode, queryFault] = (e.headers?.['x-amzn-query-error'] ?? '').split(';');
  const type = (e.__type ?? e.code ?? 'UnknownError').split('#').pop()!;
  const name = type === 'UnknownError' && queryCode ? queryCode : type;
  const fault = queryFault === 'Sender' || (e.statusCode >= 400 && e.statusCode < 500) ? 'client' : 'server';
  return new AwsError(name, fault, THROTTLES.has(name) || e.statusCode === 429 || e.statusCode >= 500, e.statusCode);
};

/** The environment's client, made once per process and shared by SSM and SQS (a cold start builds it once). */
let environmentClient: Promise<AwsLite> | undefined;

export interface AwsJsonCall {
  service: string;
  /** `X-Amz-Target`, e.g. `AmazonSQS.SendMessage`. */
  target: string;
  /** The AWS JSON protocol version of the service: SQS 1.0, SSM 1.1. */
  version: '1.0' | '1.1';
  payload: object;
  endpoint?: string;
  headers?: Record<string, string>;
}

/**
 * A caller of AWS JSON-protocol actions through aws-lite, which signs, retries throttles and 5xx, and parses errors;
 * its client is made on the first call. Bodies are read as plain JSON: aws-lite would take these content types for
 * DynamoDB's typed JSON.
 */
export const awsJsonCaller = (opts: AwsClientOptions = {}) => {
  const shared = opts.region === undefined && opts.credentials === undefined;
  let own: Promise<AwsLite> | undefined;
  const make = () =>
    awsLite({ ...(opts.region ? { region: opts.region } : {}), ...opts.credentials, retries: 2, responseContentType: 'application/json' }).catch(
      (err: unknown) => {
        // Made again on the next call: the environment may be complete by then.
        if (shared) environmentClient = undefined;
        else own = undefined;
        throw err;
      },
    );
  const client = () => {
    if (shared) {
      environmentClient ??= make();
      return environmentClient;
    }
    own ??= make();
    return own;
  };
  return async <T>(call: AwsJsonCall): Promise<T> => {
    try {
      const aws = await client();
      const res = await aws({
        service: call.service,
        ...(call.endpoint ? { endpoint: call.endpoint } : {}),
        path: '/',
        method: 'POST',
        awsjson: false,
        headers: { 'X-Amz-Target': call.target, 'content-type': `application/x-amz-json-${call.version}`, ...call.headers },
        payload: call.payload,
      });
      return (res.payload ?? {}) as T;
    } catch (err) {
      throw awsError(err);
    }
  };
};
