import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from './configError.js';
import { formatPath } from './zodIssues.js';

/** Reads one SecureString parameter, decrypted. */
export type SsmReader = (name: string) => Promise<string>;

let ssmClient: SSMClient | undefined;

/**
 * SSM through the AWS SDK that the Lambda runtime provides (left out of the bundles), decrypted. The config is
 * loaded once per cold start, so each parameter is read once per warm function.
 */
export const awsSsmReader: SsmReader = async (name) => {
  // Loaded on first use: a config without `ssm:` references never loads the SSM client.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  ssmClient ??= new SSMClient({});
  const res = await ssmClient.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  if (res.Parameter?.Value === undefined) {
    throw Object.assign(new Error(`SSM parameter ${name} has no value`), { name: 'ParameterNotFound' });
  }
  return res.Parameter.Value;
};

/**
 * Why a parameter could not be read, in words, from the AWS SDK's error: never its message, which may quote a
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
