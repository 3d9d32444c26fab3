import { createHmac, randomBytes } from 'node:crypto';
import { percentEncode, sha256Hex } from '../../shared/vendors/encoding.js';
import type { SimRequest, SimResponse } from './server.js';

/**
 * How APIG (the gateway in front of SWR and HSS) authenticates a request, for the Huawei simulators: an AK/SK
 * signature, recomputed from the request as received, or an IAM token the IAM simulator issued.
 * Five bad signatures in a row lock the key for five minutes, as APIG does.
 */
export const HUAWEI_SIM_KEYS = { accessKey: 'HPUASIMULATORKEY0001', secretKey: 'sim-huawei-secret-do-not-use-0123456789' };
export const HUAWEI_SIM_LOGIN = { user: 'scanhook-bot', password: 'sim-iam-password-do-not-use', domain: 'scanhook-sim' };
export const HUAWEI_SIM_PROJECT = '0b5b0ec1b2f3sim0project0000000001';

export interface SimKeys {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

const LOCK_AFTER = 5;
const LOCK_MS = 5 * 60_000;
const MAX_SKEW_MS = 15 * 60_000;

export const apigError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): SimResponse => ({
  status,
  body: { error_code: code, error_msg: message, request_id: randomBytes(16).toString('hex'), ...extra },
});

const authFailure = (detail: string) => apigError(401, 'APIG.0301', `Incorrect IAM authentication information: ${detail}`);

/** Tokens the IAM simulator issued, which the service simulators accept until they expire. */
export const createTokenBook = (lifetimeMs = 24 * 60 * 60_000) => {
  const tokens = new Map<string, { projectId: string; expiresAt: number }>();
  return {
    issue(projectId: string) {
      const token = `MIIsim${randomBytes(48).toString('base64url')}`;
      const entry = { projectId, expiresAt: Date.now() + lifetimeMs };
      tokens.set(token, entry);
      return { token, ...entry };
    },
    lookup: (token: string) => tokens.get(token),
    /** Makes a token expire now (as a password change or a lapse of 24 h would). */
    expire(token: string) {
      const entry = tokens.get(token);
      if (entry) entry.expiresAt = Date.now() - 1;
    },
    expireAll() {
      for (const entry of tokens.values()) entry.expiresAt = Date.now() - 1;
    },
    /** Every token handed out, e.g. to check that none reached a log. */
    all: () => [...tokens.keys()],
  };
};
export type TokenBook = ReturnType<typeof createTokenBook>;

/** The canonical request APIG rebuilds from what it received: each path segment encoded once, a trailing `/` added if missing. */
const canonicalRequestOf = (req: SimRequest, signedHeaders: string[]): string => {
  const segments = decodeURIComponent(req.url.pathname).split('/').map(percentEncode).join('/');
  const uri = segments.endsWith('/') ? segments : `${segments}/`;
  const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const query = [...req.url.searchParams]
    .sort(([ka, va], [kb, vb]) => byCodeUnit(ka, kb) || byCodeUnit(va, vb))
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const payload = req.headers['x-sdk-content-sha256'] === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256Hex(req.body);
  return [req.method, uri, query, signedHeaders.map((n) => `${n}:${(req.headers[n] ?? '').trim()}\n`).join(''), signedHeaders.join(';'), payload].join('\n');
};

export type AuthMethod = 'aksk' | 'token';

export const createHuaweiVerifier = (opts: { keys?: SimKeys[]; tokens: TokenBook }) => {
  const keys = new Map<string, SimKeys>((opts.keys ?? [HUAWEI_SIM_KEYS]).map((k) => [k.accessKey, k]));
  const failures = new Map<string, { count: number; lockedUntil: number }>();

  const verifySignature = (req: SimRequest, projectId: string): SimResponse | undefined => {
    const auth = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    if (!auth) return authFailure('verify aksk signature fail');
    const [, accessKey, signedList, signature] = auth as unknown as [string, string, string, string];
    const state = failures.get(accessKey) ?? { count: 0, lockedUntil: 0 };
    if (state.lockedUntil > Date.now()) return authFailure('AK access failed to reach the limit,forbidden');
    const key = keys.get(accessKey);
    if (!key) return authFailure('verify aksk signature fail');
    const signed = signedList.split(';');
    const fail = (detail: string) => {
      state.count++;
      if (state.count >= LOCK_AFTER) state.lockedUntil = Date.now() + LOCK_MS;
      failures.set(accessKey, state);
      return authFailure(detail);
    };
    if (!signed.includes('x-sdk-date') || !signed.includes('host')) return fail('verify aksk signature fail');
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(req.headers['x-sdk-date'] ?? '');
    const time = date ? Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!) : Number.NaN;
    if (!(Math.abs(time - Date.now()) < MAX_SKEW_MS)) return fail('verify aksk signature fail');
    if (key.securityToken && (req.headers['x-security-token'] !== key.securityToken || !signed.includes('x-security-token'))) {
      return fail('verify aksk signature fail');
    }
    const stringToSign = `SDK-HMAC-SHA256\n${req.headers['x-sdk-date']}\n${sha256Hex(canonicalRequestOf(req, signed))}`;
    const expected = createHmac('sha256', key.secretKey).update(stringToSign).digest('hex');
    if (expected !== signature) return fail('verify aksk signature fail');
    failures.delete(accessKey);
    if (req.headers['x-project-id'] !== projectId)
      return apigError(403, 'APIG.0302', 'The IAM user is not authorized to access the API: X-Project-Id does not name the project in the path');
    return undefined;
  };

  const verifyToken = (token: string, projectId: string): SimResponse | undefined => {
    const entry = opts.tokens.lookup(token);
    if (!entry) return authFailure('decrypt token fail');
    if (entry.expiresAt <= Date.now()) return authFailure(`token expires, expires_at: ${new Date(entry.expiresAt).toISOString()}`);
    if (entry.projectId !== projectId)
      return apigError(403, 'APIG.0302', 'The IAM user is not authorized to access the API: the token is scoped to another project');
    return undefined;
  };

  return {
    /** The error reply for a request APIG would refuse, or undefined; and which way it authenticated. */
    verify(req: SimRequest, projectId: string): { rejected?: SimResponse; method: AuthMethod } {
      const token = req.headers['x-auth-token'];
      if (token) {
        const rejected = verifyToken(token, projectId);
        return { method: 'token', ...(rejected ? { rejected } : {}) };
      }
      const rejected = verifySignature(req, projectId);
      return { method: 'aksk', ...(rejected ? { rejected } : {}) };
    },
    /** Bad signatures in a row for a key, and whether it is locked. */
    keyState: (accessKey: string) => failures.get(accessKey) ?? { count: 0, lockedUntil: 0 },
    tokens: opts.tokens,
  };
};
export type HuaweiVerifier = ReturnType<typeof createHuaweiVerifier>;

/**
 * A Huawei simulator's per-request path: the path decoded once (as APIG routes it), split into segments. A
 * repository segment sent as `team%252Fapi` arrives here as `team%2Fapi`; one sent as `team%2Fapi` has become two.
 */
export const routeSegments = (req: SimRequest): string[] => decodeURIComponent(req.url.pathname).split('/').slice(1);

export const notFoundApi = (): SimResponse => apigError(404, 'APIG.0101', 'The API does not exist or has not been published in the environment.');

/** Faults a repository name asks for: `*throttled*` and `*flaky*` (the first two calls), `*expired*` (the first token). */
export interface ApigFaults {
  failFirst: number;
  failWith: 'throttle' | 'unavailable';
  expireToken: boolean;
}

export const faultsFor = (name: string): ApigFaults => ({
  failFirst: /throttled|flaky/.test(name) ? 2 : 0,
  failWith: /flaky/.test(name) ? 'unavailable' : 'throttle',
  expireToken: /expired/.test(name),
});

/** Plays a repository's faults: counts its calls, and expires the first token it sees (once per repository). */
export const createFaultInjector = (tokens: TokenBook) => {
  const seen = new Map<string, number>();
  const expired = new Set<string>();
  return (name: string, faults: ApigFaults, token: string | undefined): SimResponse | undefined => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n <= faults.failFirst) {
      return faults.failWith === 'throttle'
        ? apigError(429, 'APIG.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second')
        : apigError(503, 'SYS.0503', 'The service is temporarily unavailable. Try again later.');
    }
    if (faults.expireToken && token && !expired.has(name)) {
      expired.add(name);
      tokens.expire(token);
      const entry = tokens.lookup(token);
      return authFailure(`token expires, expires_at: ${new Date(entry?.expiresAt ?? Date.now()).toISOString()}`);
    }
    return undefined;
  };
};
