import { AwsError, awsJsonCaller } from '../http/awsJson.js';
import { ConfigError } from './configError.js';
import { formatPath } from './zodIssues.js';

/** Reads one SecureString parameter, decrypted. */
export type SsmReader = (name: string) => Promise<string>;

const aws = awsJsonCaller();

/**
 * SSM's GetParameter, decrypted, with the credentials and region of the environment (the client SQS sends with), at
 * AWS_ENDPOINT_URL_SSM where that is set (as the AWS SDK reads it: local mode, the tests). The config is loaded once
 * per cold start, so each parameter is read once per warm function.
 */
export const awsSsmReader: SsmReader = async (name) => {
  const endpoint = process.env.AWS_ENDPOINT_URL_SSM;
  const res = await aws<{ Parameter?: { Value?: string } }>({
    service: 'ssm',
    target: 'AmazonSSM.GetParameter',
    version: '1.1',
    payload: { Name: name, WithDecryption: true },
    ...(endpoint ? { endpoint } : {}),
  });
  const value = res.Parameter?.Value;
  if (value === undefined) throw new AwsError('ParameterNotFound', 'client', false);
  return value;
};

/**
 * Why a parameter could not be read, in words, from the AWS error: never its message, which may quote a
 * request. Unknown errors are named by their type.
 */
export const ssmFailure = (err: unknown): string => {
  const name = (err as Error)?.name ?? 'Error';
  if (name === 'ParameterNotFound' || name === 'ParameterVersionNotFound') return 'not found';
  if (['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'].includes(name))
    return `access denied (${name})`;
  if (name === 'CredentialsProviderError') return 'no AWS credentials';
  if (name === 'RegionMissing') return 'no AWS region (set AWS_REGION)';
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
