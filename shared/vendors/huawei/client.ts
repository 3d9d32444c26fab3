import { asRepeatable, CallError } from '../../http/callError.js';
import type { HttpClient, HttpResponse } from '../../http/client.js';
import { jsonObject } from '../../http/jsonObject.js';
import { type RetryPolicy, withRetry } from '../../http/retry.js';
import type { HuaweiCredentials } from './credentials.js';
import { defaultThrottleWaitMs, huaweiError, isTokenExpired } from './errors.js';
import { getIamToken, invalidateIamToken } from './iamToken.js';
import { canonicalQueryString, type QueryParams, signApig } from './signer.js';

/** `https://{service}.{region}.myhuaweicloud.com`; the EU sovereign region lives under `.eu`. */
export const huaweiEndpoint = (service: string, region: string): string =>
  `https://${service}.${region}.myhuaweicloud.${region === 'eu-west-101' ? 'eu' : 'com'}`;

export interface HuaweiClientOptions {
  http: HttpClient;
  /** The service endpoint, e.g. `https://hss.cn-north-4.myhuaweicloud.com`, or a simulator. */
  endpoint: string;
  projectId: string;
  /** Read for every attempt; decides AK/SK signing or an IAM token. */
  credentials: () => HuaweiCredentials;
  /** Where IAM tokens come from, when `credentials` says token. */
  iamEndpoint: string;
  retry: RetryPolicy;
  /** Sent (and signed) with every call, e.g. HSS's `region`. */
  headers?: Record<string, string>;
  onRetry?: (operation: string, err: CallError, attempt: number, delayMs: number) => void;
  /** How long a throttled call waits before its retry; 2–5 s by default. */
  throttleWaitMs?: () => number;
}

export interface HuaweiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path as sent, segments encoded with `pathSegment`. */
  path: string;
  query?: QueryParams;
  /** Sent as JSON. */
  body?: unknown;
}

type Attempt = { result: Record<string, unknown> } | { error: CallError; token: string | undefined };

/**
 * A Huawei Cloud API behind APIG (SWR, HSS): JSON in and out, AK/SK-signed or token-authenticated, throttling and
 * 5xx retried with backoff (re-signed each time), an expired token renewed once, anything else thrown at once.
 */
/** What a refusal's text must never repeat: the key id and security token (some gateways echo the request). */
const secretsOf = (credentials: HuaweiCredentials): (string | undefined)[] =>
  credentials.mode === 'aksk' ? [credentials.keys.accessKey, credentials.keys.securityToken] : [credentials.login.password];

export const createHuaweiClient = (opts: HuaweiClientOptions) => {
  const url = new URL(opts.endpoint);
  const basePath = url.pathname.replace(/\/$/, '');
  const throttleWaitMs = opts.throttleWaitMs ?? defaultThrottleWaitMs;

  /** One attempt. A vendor error comes back (not thrown) with the token it used, so an expired one can be dropped. */
  const callOnce = async (operation: string, req: HuaweiRequest): Promise<Attempt> => {
    const credentials = opts.credentials();
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const path = `${basePath}${req.path}`;
    const base: Record<string, string> = { host: url.host, 'content-type': 'application/json', ...opts.headers };
    let headers: Record<string, string>;
    let queryString: string;
    let token: string | undefined;
    if (credentials.mode === 'aksk') {
      const signed = signApig(
        { method: req.method, path, query: req.query ?? {}, headers: { ...base, 'x-project-id': opts.projectId }, ...(body !== undefined ? { body } : {}) },
        credentials.keys,
      );
      headers = signed.headers;
      queryString = signed.queryString;
    } else {
      token = await getIamToken({
        http: opts.http,
        // One login attempt per attempt of the call: this call's own retries cover the login too.
        retry: { ...opts.retry, attempts: 1 },
        iamEndpoint: opts.iamEndpoint,
        projectId: opts.projectId,
        login: credentials.login,
        ...(opts.onRetry ? { onRetry: (err: CallError, attempt: number, delayMs: number) => opts.onRetry?.('IAM token', err, attempt, delayMs) } : {}),
      });
      headers = { ...base, 'x-auth-token': token };
      queryString = canonicalQueryString(req.query);
    }
    let res: HttpResponse;
    try {
      res = await opts.http.send(
        {
          method: req.method,
          url: `${url.origin}${path}${queryString ? `?${queryString}` : ''}`,
          headers: { ...headers, accept: 'application/json' },
          ...(body !== undefined ? { body } : {}),
        },
        `${operation} at ${url.host}`,
      );
    } catch (err) {
      throw asRepeatable(err); // starting a scan again and reading status are both harmless
    }
    if (res.status < 200 || res.status >= 300)
      return { error: huaweiError(operation, res.status, res.body, res.headers, throttleWaitMs, secretsOf(credentials)), token };
    if (res.body.trim() === '') return { result: {} };
    const json = jsonObject(res.body);
    if (!json) throw new CallError({ kind: 'invalid', code: `HTTP${res.status}`, status: res.status, message: `${operation}: the reply is not a JSON object` });
    return { result: json };
  };

  return {
    projectId: opts.projectId,
    /** Calls `operation`; the reply's JSON object (`{}` for an empty body such as a 202). */
    call: (operation: string, req: HuaweiRequest): Promise<Record<string, unknown>> => {
      let renewed = false;
      return withRetry(
        opts.retry,
        async () => {
          const first = await callOnce(operation, req);
          if ('result' in first) return first.result;
          if (!(first.token && !renewed && isTokenExpired(first.error))) throw first.error;
          renewed = true;
          invalidateIamToken(first.token);
          const second = await callOnce(operation, req);
          if ('result' in second) return second.result;
          throw second.error;
        },
        (err, attempt, delay) => opts.onRetry?.(operation, err, attempt, delay),
      );
    },
  };
};
export type HuaweiClient = ReturnType<typeof createHuaweiClient>;
