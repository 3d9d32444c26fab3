import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHuaweiVerifier, createTokenBook, HUAWEI_SIM_KEYS, HUAWEI_SIM_LOGIN } from '../../../../local/simulators/huaweiApig.js';
import { type IamSimulator, startIamSimulator } from '../../../../local/simulators/iam.js';
import { type SimRequest, type SimResponse, startSimServer } from '../../../../local/simulators/server.js';
import type { CallError, FailureKind } from '../../../../shared/http/callError.js';
import { createHttpClient, type HttpClient } from '../../../../shared/http/client.js';
import type { RetryPolicy } from '../../../../shared/http/retry.js';
import { createHuaweiClient, huaweiEndpoint } from '../../../../shared/vendors/huawei/client.js';
import { type HuaweiCredentials, huaweiCredentialsFromEnv } from '../../../../shared/vendors/huawei/credentials.js';
import { classifyHuaweiError, defaultThrottleWaitMs } from '../../../../shared/vendors/huawei/errors.js';
import { clearIamTokenCache } from '../../../../shared/vendors/huawei/iamToken.js';
import { callError } from '../../../support/callError.js';

const PROJECT = 'proj0123456789';
const AKSK: HuaweiCredentials = { mode: 'aksk', keys: HUAWEI_SIM_KEYS };
const TOKEN: HuaweiCredentials = { mode: 'token', login: HUAWEI_SIM_LOGIN };

/** A scripted stand-in for an APIG-fronted service that keeps every request. */
let requests: SimRequest[] = [];
let script: ((req: SimRequest, n: number) => SimResponse) | undefined;
let server: Awaited<ReturnType<typeof startSimServer>>;
let iam: IamSimulator;
let http: HttpClient;

beforeAll(async () => {
  server = await startSimServer((req) => {
    requests.push(req);
    return script ? script(req, requests.length) : { status: 500, body: { error_code: 'NoScript', error_msg: 'no script' } };
  });
  iam = await startIamSimulator();
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await server.close();
  await iam.close();
});
beforeEach(() => clearIamTokenCache());
afterEach(() => {
  requests = [];
  script = undefined;
});

const fastRetry: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 50 };

const client = (opts: { credentials?: () => HuaweiCredentials; retry?: RetryPolicy; throttleWaitMs?: () => number; headers?: Record<string, string> } = {}) => {
  const retries: { operation: string; code: string; attempt: number; delayMs: number }[] = [];
  const api = createHuaweiClient({
    http,
    endpoint: server.url,
    projectId: PROJECT,
    credentials: opts.credentials ?? (() => AKSK),
    iamEndpoint: iam.url,
    retry: opts.retry ?? fastRetry,
    throttleWaitMs: opts.throttleWaitMs ?? (() => 5),
    ...(opts.headers ? { headers: opts.headers } : {}),
    onRetry: (operation, err, attempt, delayMs) => retries.push({ operation, code: err.code, attempt, delayMs }),
  });
  return { api, retries };
};

const ok = (body: unknown = {}): SimResponse => ({ status: 200, body });
const fail = (status: number, code: string, message = 'nope', headers?: Record<string, string>): SimResponse => ({
  status,
  ...(headers ? { headers } : {}),
  body: { error_code: code, error_msg: message, request_id: 'req-1' },
});

/** An independent check: APIG's own way of verifying (the simulators' verifier) accepts the request as received. */
const verifier = createHuaweiVerifier({ tokens: createTokenBook() });
const expectValidlySigned = (req: SimRequest) => expect(verifier.verify(req, PROJECT).rejected).toBeUndefined();

describe('createHuaweiClient with AK/SK', () => {
  it('sends a signed JSON request that APIG verification accepts, with X-Project-Id, the extra headers and the query as signed', async () => {
    script = () => ok({ data_list: [{ id: 1 }], total_num: 1 });
    const { api } = client({ headers: { region: 'cn-north-4' } });
    const res = await api.call('ListThings', {
      method: 'POST',
      path: `/v5/${PROJECT}/image/team%252Fapi-gw/sha256:abc`,
      query: { b: ['2', '1'], a: '中 文', empty: '', skip: undefined },
      body: { name: 'api', n: 1 },
    });
    expect(res).toEqual({ data_list: [{ id: 1 }], total_num: 1 });
    const req = requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe(`/v5/${PROJECT}/image/team%252Fapi-gw/sha256:abc`);
    expect(req.url.search).toBe('?a=%E4%B8%AD%20%E6%96%87&b=1&b=2&empty=');
    expect(JSON.parse(req.body)).toEqual({ name: 'api', n: 1 });
    expect(req.headers).toMatchObject({ 'x-project-id': PROJECT, region: 'cn-north-4', 'content-type': 'application/json', accept: 'application/json' });
    expect(req.headers['x-sdk-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(req.headers.authorization).toMatch(
      new RegExp(
        `^SDK-HMAC-SHA256 Access=${HUAWEI_SIM_KEYS.accessKey}, SignedHeaders=content-type;host;region;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(req.headers['x-auth-token']).toBeUndefined();
    expect(JSON.stringify(req)).not.toContain(HUAWEI_SIM_KEYS.secretKey);
    expectValidlySigned(req);
  });

  it('a 202 with an empty body is an empty result; temporary keys send X-Security-Token', async () => {
    script = () => ({ status: 202, body: '' });
    const keys = { ...HUAWEI_SIM_KEYS, securityToken: 'sts-token-value' };
    const res = await client({ credentials: () => ({ mode: 'aksk', keys }) }).api.call('Start', { method: 'POST', path: `/v2/${PROJECT}/x/scan` });
    expect(res).toEqual({});
    expect(requests[0]!.headers['x-security-token']).toBe('sts-token-value');
    expect(requests[0]!.headers.authorization).toContain('x-security-token');
    expect(createHuaweiVerifier({ tokens: createTokenBook(), keys: [keys] }).verify(requests[0]!, PROJECT).rejected).toBeUndefined();
  });

  it('retries throttling (APIG.0308) after the wait it computes, and succeeds', async () => {
    script = (_req, n) =>
      n < 3 ? fail(429, 'APIG.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second') : ok({ done: true });
    const { api, retries } = client({ throttleWaitMs: () => 30 });
    const started = Date.now();
    expect(await api.call('ListThings', { method: 'GET', path: `/v5/${PROJECT}/x` })).toEqual({ done: true });
    expect(requests).toHaveLength(3);
    for (const r of requests) expectValidlySigned(r);
    expect(retries.map((r) => [r.operation, r.code, r.attempt])).toEqual([
      ['ListThings', 'APIG.0308', 1],
      ['ListThings', 'APIG.0308', 2],
    ]);
    expect(retries.every((r) => r.delayMs >= 30)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  it('throttling waits 2–5 s by default, and a Retry-After header overrides it', async () => {
    for (let i = 0; i < 200; i++) {
      const ms = defaultThrottleWaitMs();
      expect(ms).toBeGreaterThanOrEqual(2000);
      expect(ms).toBeLessThanOrEqual(5000);
    }
    script = () => fail(429, 'APIGW.0308', 'over ratelimit');
    const { api } = createHuaweiClientDefaultWait();
    const err = await callError(api.call('A', { method: 'GET', path: '/x' }));
    expect(err.kind).toBe('throttled');
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(2000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(5000);
    script = () => fail(429, 'APIG.0308', 'over ratelimit', { 'retry-after': '7' });
    expect((await callError(createHuaweiClientDefaultWait().api.call('A', { method: 'GET', path: '/x' }))).retryAfterMs).toBe(7000);
  });

  it('a wait longer than the policy allows is thrown at once, for the queue to redeliver later', async () => {
    script = () => fail(429, 'APIG.0308', 'over ratelimit');
    const { api, retries } = client({ throttleWaitMs: () => 2000, retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 500 } });
    const err = await callError(api.call('A', { method: 'GET', path: '/x' }));
    expect(requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
    expect(err.retryable).toBe(true);
  });

  it('retries 5xx with backoff, and names a non-JSON error by its status', async () => {
    script = (_req, n) => (n === 1 ? fail(503, 'SYS.0503', 'unavailable') : n === 2 ? { status: 502, body: '<html>Bad Gateway</html>' } : ok({ n }));
    const { api, retries } = client();
    expect(await api.call('A', { method: 'GET', path: '/x' })).toEqual({ n: 3 });
    expect(retries.map((r) => r.code)).toEqual(['SYS.0503', 'HTTP502']);
  });

  const notRetried: { status: number; code: string; message: string; kind: FailureKind }[] = [
    { status: 401, code: 'APIG.0301', message: 'Incorrect IAM authentication information: verify aksk signature fail', kind: 'auth' },
    { status: 401, code: 'APIGW.0301', message: 'Incorrect IAM authentication information: AK access failed to reach the limit,forbidden', kind: 'auth' },
    { status: 403, code: 'APIG.0302', message: 'The IAM user is not authorized to access the API', kind: 'permission' },
    { status: 403, code: 'SWR.EE.4030001', message: "Policy doesn't allow swr:repository:startManualScanning", kind: 'permission' },
    { status: 404, code: 'APIG.0101', message: 'The API does not exist', kind: 'not_found' },
    { status: 400, code: 'HSS.0001', message: 'image_type is required', kind: 'invalid' },
  ];
  it.each(notRetried)('$code ($status) is sent once and thrown as $kind, naming the code and message', async ({ status, code, message, kind }) => {
    script = () => fail(status, code, message);
    const { api, retries } = client();
    const err = await callError(api.call('StartManualScanning', { method: 'POST', path: '/x' }));
    expect(requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
    expect(err).toMatchObject({ kind, code, status, retryable: false });
    expect(err.message).toBe(`StartManualScanning: ${code}: ${message}`);
    expect(`${err.message}${err.stack}`).not.toContain(HUAWEI_SIM_KEYS.secretKey);
  });

  it('a bad signature is sent once and never retried: five in a row would lock the key for five minutes', async () => {
    // The simulators' verifier plays APIG: a wrong secret fails, and the fifth failure in a row locks the key.
    const apig = createHuaweiVerifier({ tokens: createTokenBook() });
    script = (req) => apig.verify(req, PROJECT).rejected ?? ok();
    const wrong = { mode: 'aksk' as const, keys: { ...HUAWEI_SIM_KEYS, secretKey: 'wrong-secret' } };
    const call = (credentials: () => HuaweiCredentials) => client({ credentials }).api.call('A', { method: 'GET', path: `/v5/${PROJECT}/x` });
    for (let i = 0; i < 4; i++)
      expect((await callError(call(() => wrong))).message).toBe('A: APIG.0301: Incorrect IAM authentication information: verify aksk signature fail');
    expect(requests).toHaveLength(4);
    await call(() => AKSK); // a good signature resets the count
    expect(apig.keyState(HUAWEI_SIM_KEYS.accessKey).count).toBe(0);
    for (let i = 0; i < 5; i++) await callError(call(() => wrong));
    const locked = await callError(call(() => AKSK));
    expect(locked).toMatchObject({ kind: 'auth', code: 'APIG.0301' });
    expect(locked.message).toContain('AK access failed to reach the limit,forbidden');
    expect(requests).toHaveLength(11);
  });

  it('error bodies in IAM ({error:{…}}) and Harbor ({errors:[…]}) shapes are named too', async () => {
    script = () => ({ status: 400, body: { errors: [{ code: 'BAD_REQUEST', message: 'invalid digest' }] } });
    expect((await callError(client().api.call('A', { method: 'GET', path: '/x' }))).message).toBe('A: BAD_REQUEST: invalid digest');
    script = () => ({ status: 400, body: { error: { code: 400, message: 'bad scope', title: 'Bad Request' } } });
    expect((await callError(client().api.call('A', { method: 'GET', path: '/x' }))).message).toBe('A: HTTP400: bad scope');
  });

  it('a 2xx whose body is not a JSON object is an error', async () => {
    script = () => ({ status: 200, body: 'hello' });
    expect((await callError(client().api.call('A', { method: 'GET', path: '/x' }))).kind).toBe('invalid');
  });

  it('a refused connection is retried as unavailable', async () => {
    const closed = await startSimServer(() => ok());
    await closed.close();
    const api = createHuaweiClient({
      http,
      endpoint: closed.url,
      projectId: PROJECT,
      credentials: () => AKSK,
      iamEndpoint: iam.url,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const err = await callError(api.call('A', { method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ kind: 'unavailable', code: 'ECONNREFUSED' });
  });
});

function createHuaweiClientDefaultWait() {
  return {
    api: createHuaweiClient({
      http,
      endpoint: server.url,
      projectId: PROJECT,
      credentials: () => AKSK,
      iamEndpoint: iam.url,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 10 },
    }),
  };
}

describe('createHuaweiClient with an IAM token', () => {
  /** The service side: accepts the IAM simulator's live tokens. */
  const tokenAuth = (req: SimRequest) => createHuaweiVerifier({ tokens: iam.tokens }).verify(req, PROJECT).rejected;

  it('sends X-Auth-Token (no signature), logs in once and reuses the token across calls and clients', async () => {
    script = (req) => tokenAuth(req) ?? ok({ fine: true });
    const before = iam.issued();
    const { api } = client({ credentials: () => TOKEN });
    await api.call('A', { method: 'GET', path: `/v5/${PROJECT}/x`, query: { q: 'a b' } });
    await api.call('B', { method: 'GET', path: `/v5/${PROJECT}/y` });
    await client({ credentials: () => TOKEN }).api.call('C', { method: 'GET', path: `/v5/${PROJECT}/z` });
    expect(iam.issued() - before).toBe(1);
    const req = requests[0]!;
    expect(req.headers['x-auth-token']).toMatch(/^MIIsim/);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers['x-sdk-date']).toBeUndefined();
    expect(req.url.search).toBe('?q=a%20b');
    expect(requests.every((r) => r.headers['x-auth-token'] === req.headers['x-auth-token'])).toBe(true);
  });

  it('a 401 saying the token expired: logs in again once and repeats the call with the new token', async () => {
    script = (req) => tokenAuth(req) ?? ok({ n: requests.length });
    const { api } = client({ credentials: () => TOKEN });
    await api.call('A', { method: 'GET', path: `/v5/${PROJECT}/x` });
    const first = requests[0]!.headers['x-auth-token']!;
    iam.tokens.expire(first);
    const before = iam.issued();
    await api.call('B', { method: 'GET', path: `/v5/${PROJECT}/x` });
    expect(iam.issued() - before).toBe(1);
    expect(requests).toHaveLength(3);
    expect(requests[1]!.headers['x-auth-token']).toBe(first);
    expect(requests[2]!.headers['x-auth-token']).not.toBe(first);
  });

  it('renews only once per call: a second "expired" reply is thrown, not looped on', async () => {
    script = () => fail(401, 'APIG.0301', 'Incorrect IAM authentication information: token expires, expires_at: 2025-01-01T00:00:00Z');
    const before = iam.issued();
    const err = await callError(client({ credentials: () => TOKEN }).api.call('A', { method: 'GET', path: `/v5/${PROJECT}/x` }));
    expect(err.kind).toBe('auth');
    expect(requests).toHaveLength(2);
    expect(iam.issued() - before).toBe(2);
    expect(err.message).not.toContain(requests[0]!.headers['x-auth-token']!);
  });

  it('other 401s (a token IAM cannot decrypt) are not renewed; with AK/SK an "expired" 401 is never retried', async () => {
    script = () => fail(401, 'APIG.0301', 'Incorrect IAM authentication information: decrypt token fail');
    await callError(client({ credentials: () => TOKEN }).api.call('A', { method: 'GET', path: '/x' }));
    expect(requests).toHaveLength(1);
    requests = [];
    script = () => fail(401, 'APIG.0301', 'Incorrect IAM authentication information: token expires');
    await callError(client().api.call('A', { method: 'GET', path: '/x' }));
    expect(requests).toHaveLength(1);
  });

  it('an IAM 5xx while logging in is retried by the call, one login per attempt', async () => {
    script = (req) => tokenAuth(req) ?? ok({ fine: true });
    iam.failNext({ status: 503, body: { error: { code: 503, message: 'Service Unavailable', title: 'Service Unavailable' } } });
    const before = iam.calls.length;
    const { api, retries } = client({ credentials: () => TOKEN });
    expect(await api.call('A', { method: 'GET', path: `/v5/${PROJECT}/x` })).toEqual({ fine: true });
    expect(iam.calls.slice(before).map((c) => c.status)).toEqual([503, 201]);
    expect(retries.map((r) => [r.operation, r.code])).toEqual([['A', 'HTTP503']]);
    expect(requests).toHaveLength(1);
  });

  it('a wrong password fails the call as auth without touching the service, and never shows the password', async () => {
    script = () => ok();
    const login = { ...HUAWEI_SIM_LOGIN, password: 'not-the-password-123' };
    const err = await callError(client({ credentials: () => ({ mode: 'token', login }) }).api.call('A', { method: 'GET', path: '/x' }));
    expect(err).toMatchObject({ kind: 'auth', code: 'HTTP401' });
    expect(err.message).toContain('The username or password is wrong');
    expect(err.message).not.toContain('not-the-password-123');
    expect(requests).toHaveLength(0);
  });
});

describe('credentials from the environment', () => {
  const aksk = { HUAWEICLOUD_SDK_AK: 'AK1', HUAWEICLOUD_SDK_SK: 'SK1' };
  const iamVars = { HUAWEICLOUD_IAM_USER: 'u', HUAWEICLOUD_IAM_PASSWORD: 'p', HUAWEICLOUD_IAM_DOMAIN: 'd' };

  it('AK/SK when both keys are set (even if the IAM variables are too), with the optional security token', () => {
    expect(huaweiCredentialsFromEnv({ ...aksk, ...iamVars })).toEqual({ mode: 'aksk', keys: { accessKey: 'AK1', secretKey: 'SK1' } });
    expect(huaweiCredentialsFromEnv({ ...aksk, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'T' })).toEqual({
      mode: 'aksk',
      keys: { accessKey: 'AK1', secretKey: 'SK1', securityToken: 'T' },
    });
  });

  it('an IAM token when only the IAM variables are set, or when the scanner says "token"', () => {
    expect(huaweiCredentialsFromEnv(iamVars)).toEqual({ mode: 'token', login: { user: 'u', password: 'p', domain: 'd' } });
    expect(huaweiCredentialsFromEnv({ ...aksk, ...iamVars }, 'token').mode).toBe('token');
  });

  it('names the variables to set when the chosen credentials are missing', () => {
    const error = (env: NodeJS.ProcessEnv, mode?: 'aksk' | 'token') => {
      try {
        huaweiCredentialsFromEnv(env, mode);
      } catch (err) {
        return err as CallError;
      }
      throw new Error('expected an error');
    };
    expect(error({}).message).toBe(
      'Huawei Cloud credentials missing: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD and HUAWEICLOUD_IAM_DOMAIN for IAM token auth',
    );
    expect(error({ HUAWEICLOUD_SDK_AK: 'AK1' }).code).toBe('MissingCredentials');
    expect(error(iamVars, 'aksk').message).toContain('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (the scanner\'s "auth" is "aksk")');
    expect(error({ ...aksk, HUAWEICLOUD_IAM_USER: 'u' }, 'token').message).toContain('HUAWEICLOUD_IAM_PASSWORD');
    expect(error({}).kind).toBe('auth');
  });
});

describe('classifyHuaweiError and endpoints', () => {
  const table: [number, string, FailureKind][] = [
    [429, 'APIG.0308', 'throttled'],
    [400, 'APIGW.0308', 'throttled'],
    [429, 'HTTP429', 'throttled'],
    [401, 'APIG.0301', 'auth'],
    [401, 'APIGW.0301', 'auth'],
    [401, 'APIG.0307', 'auth'],
    [401, 'IAM.0011', 'auth'],
    [403, 'APIG.0302', 'permission'],
    [403, 'SWR.EE.4030001', 'permission'],
    [404, 'APIG.0101', 'not_found'],
    [500, 'SWR.EE.5000001', 'unavailable'],
    [503, 'HTTP503', 'unavailable'],
    [400, 'APIG.0201', 'invalid'],
    [409, 'HSS.0409', 'invalid'],
  ];
  it.each(table)('%i %s → %s', (status, code, kind) => {
    expect(classifyHuaweiError(status, code)).toBe(kind);
  });

  it('regional endpoints, with the EU sovereign region under .eu', () => {
    expect(huaweiEndpoint('swr-api', 'cn-north-4')).toBe('https://swr-api.cn-north-4.myhuaweicloud.com');
    expect(huaweiEndpoint('swr-api', 'eu-west-101')).toBe('https://swr-api.eu-west-101.myhuaweicloud.eu');
    expect(huaweiEndpoint('hss', 'ap-southeast-1')).toBe('https://hss.ap-southeast-1.myhuaweicloud.com');
    expect(huaweiEndpoint('iam', 'eu-west-101')).toBe('https://iam.eu-west-101.myhuaweicloud.eu');
  });
});
