import { createHttpClient, type HttpClient } from '../http/client.js';
import type { RetryPolicy } from '../http/retry.js';
import type { Runtime } from './runtime.js';

/** A queue function's runtime: the base one, plus the HTTP client and retry policy its vendor or chat calls share. */
export interface HttpRuntime extends Runtime {
  http: HttpClient;
  retry: RetryPolicy;
}

export const withHttp = (base: Runtime): HttpRuntime => {
  const { timeoutMs, attempts, baseDelayMs, maxDelayMs } = base.config.http;
  return { ...base, http: createHttpClient({ timeoutMs }), retry: { attempts, baseDelayMs, maxDelayMs } };
};
