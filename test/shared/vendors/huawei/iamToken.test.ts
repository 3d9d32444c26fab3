import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HUAWEI_SIM_LOGIN } from '../../../../local/simulators/huaweiApig.js';
import { type IamSimulator, startIamSimulator } from '../../../../local/simulators/iam.js';
import { type SimRequest, type SimResponse, startSimServer } from '../../../../local/simulators/server.js';
import { CallError } from '../../../../shared/http/callError.js';
import { createHttpClient, type HttpClient } from '../../../../shared/http/client.js';
import {
  clearIamTokenCache,
  getIamToken,
  type IamTokenRequest,
  invalidateIamToken,
  RENEW_BEFORE_EXPIRY_MS,
  TOKEN_LIFETIME_MS,
} from '../../../../shared/vendors/huawei/iamToken.js';

let iam: IamSimulator;
let http: HttpClient;
beforeAll(async () => {
  iam = await startIamSimulator();
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await iam.close();
});
beforeEach(() => clearIamTokenCache());

const HOUR = 60 * 60_000;
const request = (over: Partial<IamTokenRequest> = {}): IamTokenRequest => ({
  http,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  iamEndpoint: iam.url,
  projectId: 'proj-1',
  login: HUAWEI_SIM_LOGIN,
  ...over,
});

const failure = async (p: Promise<unknown>): Promise<CallError> => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CallError);
    return err as CallError;
  }
  throw new Error('expected a failure');
};

describe('getIamToken', () => {
  it('logs in with the password identity scoped to the project and returns X-Subject-Token', async () => {
    const seen: SimRequest[] = [];
    const spy = await startSimServer((req) => {
      seen.push(req);
      return {
        status: 201,
        headers: { 'x-subject-token': 'MIItoken-from-spy' },
        body: { token: { expires_at: new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString() } },
      };
    });
    try {
      expect(await getIamToken(request({ iamEndpoint: spy.url }))).toBe('MIItoken-from-spy');
      const req = seen[0]!;
      expect(req.method).toBe('POST');
      expect(req.url.pathname).toBe('/v3/auth/tokens');
      expect(req.url.search).toBe('?nocatalog=true');
      expect(req.headers['content-type']).toBe('application/json;charset=utf8');
      expect(JSON.parse(req.body)).toEqual({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: HUAWEI_SIM_LOGIN.user, password: HUAWEI_SIM_LOGIN.password, domain: { name: HUAWEI_SIM_LOGIN.domain } } },
          },
          scope: { project: { id: 'proj-1' } },
        },
      });
    } finally {
      await spy.close();
    }
  });

  it('keeps the token across calls (module scope) and logs in once for concurrent callers', async () => {
    const before = iam.issued();
    const tokens = await Promise.all([getIamToken(request()), getIamToken(request()), getIamToken(request())]);
    expect(new Set(tokens).size).toBe(1);
    expect(await getIamToken(request())).toBe(tokens[0]);
    expect(iam.issued() - before).toBe(1);
    expect(iam.tokens.lookup(tokens[0]!)?.projectId).toBe('proj-1');
  });

  it('renews an hour before the 24 h expiry, not earlier', async () => {
    const start = Date.now();
    const first = await getIamToken(request());
    const before = iam.issued();
    const at = (ms: number) => getIamToken(request({ now: () => start + ms }));
    expect(await at(TOKEN_LIFETIME_MS - RENEW_BEFORE_EXPIRY_MS - 60_000)).toBe(first); // 22 h 59 min in
    expect(iam.issued()).toBe(before);
    const renewed = await at(TOKEN_LIFETIME_MS - RENEW_BEFORE_EXPIRY_MS + 60_000); // 23 h 1 min in
    expect(renewed).not.toBe(first);
    expect(iam.issued() - before).toBe(1);
    expect(RENEW_BEFORE_EXPIRY_MS).toBe(HOUR);
  });

  it('uses the expiry IAM states, and assumes 24 h when the reply has none', async () => {
    const spy = await startSimServer(
      (): SimResponse => ({
        status: 201,
        headers: { 'x-subject-token': `tok-${Math.random()}` },
        body: { token: { expires_at: new Date(Date.now() + 2 * HOUR).toISOString() } },
      }),
    );
    try {
      const first = await getIamToken(request({ iamEndpoint: spy.url }));
      expect(await getIamToken(request({ iamEndpoint: spy.url, now: () => Date.now() + 50 * 60_000 }))).toBe(first);
      expect(await getIamToken(request({ iamEndpoint: spy.url, now: () => Date.now() + 70 * 60_000 }))).not.toBe(first);
    } finally {
      await spy.close();
    }
    const bare = await startSimServer((): SimResponse => ({ status: 201, headers: { 'x-subject-token': `tok-${Math.random()}` }, body: {} }));
    try {
      const first = await getIamToken(request({ iamEndpoint: bare.url }));
      expect(await getIamToken(request({ iamEndpoint: bare.url, now: () => Date.now() + 22 * HOUR }))).toBe(first);
      expect(await getIamToken(request({ iamEndpoint: bare.url, now: () => Date.now() + 23.5 * HOUR }))).not.toBe(first);
    } finally {
      await bare.close();
    }
  });

  it('invalidateIamToken drops the token so the next call logs in again', async () => {
    const first = await getIamToken(request());
    invalidateIamToken('some-other-token');
    expect(await getIamToken(request())).toBe(first);
    invalidateIamToken(first);
    expect(await getIamToken(request())).not.toBe(first);
  });

  it('separate entries per project, user and password (a changed password logs in afresh)', async () => {
    const a = await getIamToken(request());
    const b = await getIamToken(request({ projectId: 'proj-2' }));
    expect(b).not.toBe(a);
    const other = await startIamSimulator({ login: { ...HUAWEI_SIM_LOGIN, password: 'rotated-password' } });
    try {
      const c = await getIamToken(request({ iamEndpoint: other.url, login: { ...HUAWEI_SIM_LOGIN, password: 'rotated-password' } }));
      expect(c).not.toBe(a);
      expect(other.issued()).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('a wrong password is an auth failure, sent once, that never shows the password', async () => {
    const before = iam.calls.length;
    const err = await failure(getIamToken(request({ login: { ...HUAWEI_SIM_LOGIN, password: 'bad-password-xyz' } })));
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect(err.message).toBe('IAM token request: HTTP401: The username or password is wrong.');
    expect(err.message).not.toContain('bad-password-xyz');
    expect(iam.calls.length - before).toBe(1);
  });

  it('retries an IAM 5xx, and a failed login is not cached', async () => {
    iam.failNext({ status: 503, body: { error: { code: 503, message: 'Service Unavailable', title: 'Service Unavailable' } } });
    const before = iam.calls.length;
    const token = await getIamToken(request());
    expect(token).toMatch(/^MIIsim/);
    expect(iam.calls.slice(before).map((c) => c.status)).toEqual([503, 201]);

    clearIamTokenCache();
    iam.failNext({ status: 400, body: { error: { code: 400, message: 'bad scope', title: 'Bad Request' } } });
    await failure(getIamToken(request({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })));
    expect(await getIamToken(request())).toMatch(/^MIIsim/);
  });

  it('a reply without X-Subject-Token is an error', async () => {
    const spy = await startSimServer((): SimResponse => ({ status: 201, body: { token: {} } }));
    try {
      expect((await failure(getIamToken(request({ iamEndpoint: spy.url })))).code).toBe('NoSubjectToken');
    } finally {
      await spy.close();
    }
  });
});
