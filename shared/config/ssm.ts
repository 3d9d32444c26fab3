import awsLite from '@aws-lite/client';
import { ConfigError } from './configError.js';
import { formatPath } from './zodIssues.js';

/** Reads one SecureString parameter, decrypted. */
export type SsmReader = (name: string) => Promise<string>;

let ssmClient: ReturnType<typeof awsLite> | undefined;

/**
 * SSM's GetParameter, decrypted, through aws-lite's client (AWS JSON 1.1), with the credentials and region of the
 * environment, at AWS_ENDPOINT_URL_SSM where that is set (as the AWS SDK reads it: local mode, the tests). The
 * config is loaded once per cold start, so each parameter is read once per warm function.
 */
export const awsSsmReader: SsmReader = async (name) => {
  const endpoint = process.env.AWS_ENDPOINT_URL_SSM;
  // Responses read as plain JSON: aws-lite would take SSM's content type for DynamoDB's typed JSON.
  ssmClient ??= awsLite({ retries: 2, responseContentType: 'application/json', ...(endpoint ? { endpoint } : {}) }).catch((err: unknown) => {
    ssmClient = undefined;
    throw err;
  });
  const res = await ssmClient
    .then((aws) =>
      aws({
        service: 'ssm',
        path: '/',
        method: 'POST',
        awsjson: false,
        headers: { 'X-Amz-Target': 'AmazonSSM.GetParameter', 'content-type': 'application/x-amz-json-1.1' },
        payload: { Name: name, WithDecryption: true },
      }),
    )
    .catch((err: unknown) => {
      throw awsLiteError(err);
    });
  const value = (res.payload as { Parameter?: { Value?: string } } | undefined)?.Parameter?.Value;
  if (value === undefined) {
    throw Object.assign(new Error(`SSM parameter ${name} has no value`), { name: 'ParameterNotFound' });
  }
  return value;
};

/**
 * aws-lite's errors named as the AWS SDK names them, which `ssmFailure` reads: the service's error code (its JSON
 * `__type`, without a namespace), or, before any request, what was missing.
 */
const awsLiteError = (err: unknown): unknown => {
  const e = err as { statusCode?: number; __type?: string; code?: string; message?: string };
  if (e?.statusCode !== undefined)
    return Object.assign(new Error(`SSM answered ${e.statusCode}`), { name: (e.__type ?? e.code ?? 'UnknownError').split('#').pop() });
  if (/AWS region/i.test(e?.message ?? '')) return new Error('region is missing');
  if (/AWS credentials/i.test(e?.message ?? '')) return Object.assign(new Error('no AWS credentials'), { name: 'CredentialsProviderError' });
  return err;
};

/**
 * Why a parameter could not be read, in words, from the AWS error: never its message, which may quote a
 * request. Unknown errors are named by their type.
 */
export const ssmFailure = (err: unknown): string => {
  const name = (err as Error)?.name ?? 'Error';
  const message = (err as Error)?.message ?? '';
  if (name === 'ParameterNotFound' || name === 'ParameterVersionNotFound') return 'not found';
  if (['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'].includes(name))
    return `access denied (${name})`;
  if (name === 'CredentialsProviderError') return 'no AWS credentials';
  if (/region is missing/i.test(message)) return 'no AWS region (set AWS_REGION)';
  if (name === 'InvalidKeyId' || name === 'KMSAccessDeniedException') return `cannot decrypt (${name})`;
  return name;
};

/** Replaces every string `ssm:/path` anywhere in `value` with the parameter's value. */
export const resolveSsmReferences = async (value: unknown, read: SsmReader, path: PropertyKey[] = []): Promise<unknown> => {
  if (typeof value === 'string' && value.startsWith('ssm:')) {
    const name = value.slice(4);
    try {
      return await read(name);
    } catch (err) {
      throw new ConfigError(`${formatPath(path)}: cannot read SSM parameter ${name}: ${ssmFailure(err)}`);
    }
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveSsmReferences(v, read, [...path, i])));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveSsmReferences(v, read, [...path, k])] as const));
    return Object.fromEntries(entries);
  }
  return value;
};
