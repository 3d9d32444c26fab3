import { asRepeatable, CallError, type FailureKind, vendorMessage } from '../../http/callError.js';
import type { HttpClient, HttpResponse } from '../../http/client.js';
import { jsonObject } from '../../http/jsonObject.js';
import { type RetryPolicy, withRetry } from '../../http/retry.js';
import { type AlibabaCredentials, signAcs3 } from './acs3.js';

/** An Alibaba Cloud RPC-style API (ACR, Security Center): every parameter in the query, an empty body. */
export interface RpcClientOptions {
  http: HttpClient;
  /** `https://cr.cn-hangzhou.aliyuncs.com`, or a simulator. */
  endpoint: string;
  version: string;
  credentials: () => AlibabaCredentials;
  retry: RetryPolicy;
  onRetry?: (action: string, err: CallError, attempt: number, delayMs: number) => void;
}

export type RpcParams = Record<string, string | number | boolean | undefined>;

const SIGNATURE_CODES = /^(SignatureDoesNotMatch|IncompleteSignature|SignatureNonceUsed|InvalidTimeStamp\.|InvalidAccessKeyId|InvalidSecurityToken)/;
const PERMISSION_CODES = /^(Forbidden|NoPermission|NoPrivilege)/;
const SERVER_CODES = /^(InternalError|ServiceUnavailable|SystemError|ServerError|UnknownError)/;
/** Security Center's "scan quota used up" is spelled `BeyondQuata` (sic); the correct spelling is accepted too. */
const QUOTA_CODES = /^Beyond(Quata|Quota)$/;

export const classifyAlibabaError = (status: number, code: string): FailureKind => {
  if (code.startsWith('Throttling')) return 'throttled';
  if (SIGNATURE_CODES.test(code)) return 'auth';
  if (PERMISSION_CODES.test(code)) return 'permission';
  if (QUOTA_CODES.test(code)) return 'quota';
  if (status >= 500 || SERVER_CODES.test(code)) return 'unavailable';
  if (status === 404) return 'not_found';
  return 'invalid';
};

export const createRpcClient = (opts: RpcClientOptions) => {
  const url = new URL(opts.endpoint);

  const callOnce = async (action: string, params: RpcParams, repeatable: boolean): Promise<Record<string, unknown>> => {
    // Empty values are never sent: the official util and the doc disagree on how to sign them.
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query[k] = String(v);
    const creds = opts.credentials();
    const signed = signAcs3({ method: 'POST', host: url.host, path: '/', action, version: opts.version, query }, creds);
    const target = `${action} at ${url.host}`;
    let res: HttpResponse;
    try {
      res = await opts.http.send(
        {
          method: 'POST',
          url: `${url.origin}/${signed.queryString ? `?${signed.queryString}` : ''}`,
          headers: { ...signed.headers, accept: 'application/json' },
        },
        target,
      );
    } catch (err) {
      // A request that may have arrived is sent again only where that is harmless (reads, ACR's scan of a tag).
      throw repeatable ? asRepeatable(err) : err;
    }
    const json = jsonObject(res.body);
    if (res.status >= 200 && res.status < 300 && json && json.IsSuccess !== false) return json;

    const code = String(json?.Code ?? json?.code ?? `HTTP${res.status}`);
    const message = vendorMessage(String(json?.Message ?? json?.message ?? (res.body || 'no message')), [creds.accessKeyId, creds.securityToken]);
    // Unit unconfirmed: the official SDK reads `x-acs-retry-after` as milliseconds (its retry backoff is in ms).
    const retryAfter = Number(res.headers['x-acs-retry-after']);
    const kind = Number.isFinite(retryAfter) && retryAfter > 0 ? 'throttled' : classifyAlibabaError(res.status, code);
    throw new CallError({
      kind,
      code,
      status: res.status,
      message: `${action}: ${code}: ${message}`,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter } : {}),
    });
  };

  return {
    /**
     * Calls `action`, re-signing every retry with a fresh date and nonce. `repeatable: false` for an action that must
     * not run twice: a request that may have arrived (a timeout after sending) then fails as `ambiguous`.
     */
    call: (action: string, params: RpcParams, { repeatable = true }: { repeatable?: boolean } = {}) =>
      withRetry(
        opts.retry,
        () => callOnce(action, params, repeatable),
        (err, attempt, delay) => opts.onRetry?.(action, err, attempt, delay),
      ),
  };
};
export type RpcClient = ReturnType<typeof createRpcClient>;
