import { alibabaCredentialsFromEnv } from '../vendors/alibaba/credentials.js';
import { createRpcClient } from '../vendors/alibaba/rpc.js';
import type { ScannerContext } from './scanner.js';

/** An Alibaba Cloud RPC client for a scanner: credentials from the environment, the scanner's retries, each retry reported. */
export const createAlibabaScannerClient = (ctx: ScannerContext, endpoint: string, version: string) =>
  createRpcClient({
    http: ctx.http,
    endpoint,
    version,
    credentials: () => alibabaCredentialsFromEnv(ctx.env),
    retry: ctx.retry,
    onRetry: (action, err, attempt, delay) => ctx.onRetry(action, err.code, attempt, delay),
  });
