import { CallError, type FailureKind, vendorMessage } from '../../http/callError.js';
import { jsonObject } from '../../http/jsonObject.js';

/** Huawei Cloud error replies (https://support.huaweicloud.com/en-us/devg-apisign/api-sign-errorcode.html): APIG `APIG.xxxx` / the older gateway's `APIGW.xxxx`, then the service's own. */
const THROTTLED = /^APIGW?\.0308$/;
/** `APIG.0307` "The token must be updated" (unconfirmed as a code; the 401 message check below covers it too). */
const TOKEN_EXPIRED_CODE = /^APIGW?\.0307$/;
const TOKEN_EXPIRED_MESSAGE = /token expire|expired token|token has expired|token must be updated/i;

export const classifyHuaweiError = (status: number, code: string): FailureKind => {
  if (THROTTLED.test(code) || status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  if (status === 403) return 'permission';
  // APIG.0301 is a bad signature, unknown key, locked key or bad token: never retried blindly, since five failed
  // signatures in a row lock the key for five minutes.
  if (/^APIGW?\.030\d$/.test(code) || status === 401) return 'auth';
  if (status === 404) return 'not_found';
  return 'invalid';
};

/** `{error_code, error_msg}` (APIG, SWR, HSS), `{error: {code, message}}` (IAM) or `{errors: [{code, message}]}` (Harbor). */
const readError = (status: number, body: string): { code: string; message: string } => {
  const json = jsonObject(body);
  const nested = (json?.error ?? (Array.isArray(json?.errors) ? (json.errors as unknown[])[0] : undefined)) as Record<string, unknown> | undefined;
  const code = json?.error_code ?? nested?.code;
  const message = json?.error_msg ?? json?.message ?? nested?.message;
  return {
    code: code !== undefined && code !== '' && typeof code !== 'number' ? String(code) : `HTTP${status}`,
    message: message !== undefined ? String(message) : body.slice(0, 200) || 'no message',
  };
};

/** The error for a non-2xx reply, named by the operation and the vendor's own code and message. */
export const huaweiError = (
  operation: string,
  status: number,
  body: string,
  headers: Record<string, string>,
  throttleWaitMs: () => number,
  secrets: (string | undefined)[] = [],
): CallError => {
  const { code, message } = readError(status, body);
  const kind = classifyHuaweiError(status, code);
  const retryAfter = Number(headers['retry-after']);
  return new CallError({
    kind,
    code,
    status,
    message: `${operation}: ${code}: ${vendorMessage(message, secrets)}`,
    ...(kind === 'throttled' ? { retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : throttleWaitMs() } : {}),
  });
};

export const isTokenExpired = (err: unknown): boolean =>
  err instanceof CallError && (TOKEN_EXPIRED_CODE.test(err.code) || (err.status === 401 && TOKEN_EXPIRED_MESSAGE.test(err.message)));

/** APIG asks for 2–5 s after a throttled call (its advice for `APIG.0308`); `withRetry` backs off from there. */
export const defaultThrottleWaitMs = (): number => 2000 + Math.round(Math.random() * 3000);
