import { asRepeatable, CallError } from '../../http/callError.js';
import type { HttpClient, HttpResponse } from '../../http/client.js';
import { jsonObject } from '../../http/jsonObject.js';
import { type RetryPolicy, withRetry } from '../../http/retry.js';
import { sha256Hex } from '../encoding.js';
import type { IamPassword } from './credentials.js';
import { defaultThrottleWaitMs, huaweiError } from './errors.js';

/**
 * IAM user tokens (https://support.huaweicloud.com/en-us/api-iam/iam_30_0001.html): `POST /v3/auth/tokens` with a password identity scoped to the project, the token
 * in the `X-Subject-Token` reply header. A token lives 24 h; it is kept here, in module scope, so the invocations of a
 * warm function share one, and renewed an hour before it expires (or when a call reports it expired).
 */
export const TOKEN_LIFETIME_MS = 24 * 60 * 60_000;
export const RENEW_BEFORE_EXPIRY_MS = 60 * 60_000;

export interface IamTokenRequest {
  http: HttpClient;
  retry: RetryPolicy;
  /** `https://iam.{region}.myhuaweicloud.com`, or a simulator. */
  iamEndpoint: string;
  projectId: string;
  login: IamPassword;
  now?: () => number;
  onRetry?: (err: CallError, attempt: number, delayMs: number) => void;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const tokens = new Map<string, CachedToken>();
const pending = new Map<string, Promise<CachedToken>>();

/** The password is part of the key (hashed) so that a changed password logs in afresh. */
const cacheKey = (req: IamTokenRequest): string => sha256Hex([req.iamEndpoint, req.login.domain, req.login.user, req.login.password, req.projectId].join('\0'));

const requestToken = async (req: IamTokenRequest): Promise<CachedToken> => {
  const url = new URL(req.iamEndpoint);
  const body = JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: req.login.user, password: req.login.password, domain: { name: req.login.domain } } },
      },
      // Scoped by project id, the one every SWR and HSS path carries (IAM accepts an id or a name here).
      scope: { project: { id: req.projectId } },
    },
  });
  const target = `IAM at ${url.host}`;
  const once = async (): Promise<CachedToken> => {
    let res: HttpResponse;
    try {
      res = await req.http.send(
        {
          method: 'POST',
          url: `${url.origin}${url.pathname.replace(/\/$/, '')}/v3/auth/tokens?nocatalog=true`,
          headers: { 'content-type': 'application/json;charset=utf8', accept: 'application/json' },
          body,
        },
        target,
      );
    } catch (err) {
      throw asRepeatable(err); // logging in twice is harmless
    }
    // A wrong password is never retried: IAM locks a user after repeated failed logins.
    if (res.status < 200 || res.status >= 300)
      throw huaweiError('IAM token request', res.status, res.body, res.headers, defaultThrottleWaitMs, [req.login.password]);
    const token = res.headers['x-subject-token'];
    if (!token)
      throw new CallError({
        kind: 'invalid',
        code: 'NoSubjectToken',
        status: res.status,
        message: 'IAM token request: the reply has no X-Subject-Token header',
      });
    const expires = Date.parse(String((jsonObject(res.body)?.token as Record<string, unknown> | undefined)?.expires_at ?? ''));
    const now = (req.now ?? Date.now)();
    return { token, expiresAt: Number.isFinite(expires) ? expires : now + TOKEN_LIFETIME_MS };
  };
  return withRetry(req.retry, once, req.onRetry);
};

/** A token for the project, from the cache while it has more than an hour left, else freshly requested (once for concurrent callers). */
export const getIamToken = async (req: IamTokenRequest): Promise<string> => {
  const key = cacheKey(req);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - (req.now ?? Date.now)() > RENEW_BEFORE_EXPIRY_MS) return cached.token;
  let inFlight = pending.get(key);
  if (!inFlight) {
    inFlight = requestToken(req).finally(() => pending.delete(key));
    pending.set(key, inFlight);
  }
  const fresh = await inFlight;
  tokens.set(key, fresh);
  return fresh.token;
};

/** Drops `token` from the cache after a call said it expired, so the next `getIamToken` logs in again. */
export const invalidateIamToken = (token: string): void => {
  for (const [key, cached] of tokens) if (cached.token === token) tokens.delete(key);
};

/** For tests: forget every cached token. */
export const clearIamTokenCache = (): void => {
  tokens.clear();
  pending.clear();
};
