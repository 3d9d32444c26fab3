import * as z from 'zod/mini';
import { strictObject } from '../config/strictObject.js';
import type { AlibabaCredentials } from '../vendors/alibaba/acs3.js';
import { alibabaCredentialsFromEnv } from '../vendors/alibaba/credentials.js';
import { createRpcClient } from '../vendors/alibaba/rpc.js';
import type { ScannerContext } from './scanner.js';

/**
 * An Alibaba Cloud scanner's own access key (`ssm:` references resolved like any config string). Without it the
 * scanner reads ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN from the environment.
 */
export const AlibabaCredentialsConfig = strictObject({
  accessKeyId: z.string().check(z.minLength(1)),
  accessKeySecret: z.string().check(z.minLength(1)),
  securityToken: z.optional(z.string().check(z.minLength(1))),
});

/** An Alibaba Cloud RPC client for a scanner: its credentials, the scanner's retries, each retry reported. */
export const createAlibabaScannerClient = (ctx: ScannerContext, endpoint: string, version: string, credentials?: AlibabaCredentials) =>
  createRpcClient({
    http: ctx.http,
    endpoint,
    version,
    credentials: () => credentials ?? alibabaCredentialsFromEnv(ctx.env),
    retry: ctx.retry,
    onRetry: (action, err, attempt, delay) => ctx.onRetry(action, err.code, attempt, delay),
  });
