import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SimRequest, type SimResponse, startSimServer } from '../../../../local/simulators/server.js';
import type { FailureKind } from '../../../../shared/http/callError.js';
import { createHttpClient, type HttpClient } from '../../../../shared/http/client.js';
import type { RetryPolicy } from '../../../../shared/http/retry.js';
import { type AlibabaCredentials, signAcs3 } from '../../../../shared/vendors/alibaba/acs3.js';
import { classifyAlibabaError, createRpcClient } from '../../../../shared/vendors/alibaba/rpc.js';
import { callError } from '../../../support/callError.js';

const SECRET = 'sEcReT-vAlUe-0123456789abcdefXYZ';
const CREDS: AlibabaCredentials = { accessKeyId: 'LTAI5tTestKeyId', accessKeySecret: SECRET };
const VERSION = '2018-12-01';

/** A local stand-in for an Alibaba RPC endpoint: it keeps every request and answers from a script. */
let requests: SimRequest[] = [];
let script: ((req: SimRequest, n: number) => SimResponse | Promise<SimResponse>) | undefined;
let server: Awaited<ReturnType<typeof startSimServer>>;
let http: HttpClient;

beforeAll(async () => {
  server = await startSimServer((req) => {
    requests.push(req);
    if (!script) return { status: 500, body: { Code: 'NoScript', Message: 'no script' } };
    return script(req, requests.length);
  });
  http = createHttpClient({ timeoutMs: 2000 });
});
afterAll(async () => {
  await http.close();
  await server.close();
});
afterEach(() => {
  requests = [];
  script = undefined;
});

const fastRetry: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

const client = (opts: { retry?: RetryPolicy; credentials?: () => AlibabaCredentials; endpoint?: string; http?: HttpClient } = {}) => {
  const retries: { action: string; code: string; attempt: number; delayMs: number }[] = [];
  const rpc = createRpcClient({
    http: opts.http ?? http,
    endpoint: opts.endpoint ?? server.url,
    version: VERSION,
    credentials: opts.credentials ?? (() => CREDS),
    retry: opts.retry ?? fastRetry,
    onRetry: (action, err, attempt, delayMs) => retries.push({ action, code: err.code, attempt, delayMs }),
  });
  return { rpc, retries };
};

const ok = (body: Record<string, unknown> = {}): SimResponse => ({
  status: 200,
  body: { RequestId: 'req-1', IsSuccess: true, Code: 'success', ...body },
});
const fail = (status: number, code: string, message = 'nope', headers?: Record<string, string>): SimResponse => ({
  status,
  ...(headers ? { headers } : {}),
  body: { RequestId: 'req-x', Code: code, Message: message },
});

/** Re-signs what the server received with our signer: the request is valid only if it was signed as sent. */
const expectValidlySigned = (req: SimRequest, creds: AlibabaCredentials = CREDS) => {
  const query = Object.fromEntries(req.url.searchParams.entries());
  const resigned = signAcs3(
    {
      method: req.method,
      host: req.headers.host!,
      path: req.url.pathname,
      action: req.headers['x-acs-action']!,
      version: req.headers['x-acs-version']!,
      query,
      body: req.body,
      date: req.headers['x-acs-date']!,
      nonce: req.headers['x-acs-signature-nonce']!,
    },
    creds,
  );
  expect(req.headers.authorization).toBe(resigned.headers.authorization);
};

describe('createRpcClient against a local server', () => {
  it('sends a signed POST with every parameter in the query and parses the JSON reply', async () => {
    script = () => ok({ Status: 'COMPLETE', Nested: { n: 1 } });
    const { rpc } = client();
    const res = await rpc.call('GetRepoTagScanStatus', { InstanceId: 'cri-abc', RepoId: 'crr-1', Tag: 'v1 beta/中', PageSize: 30 });
    expect(res).toMatchObject({ Status: 'COMPLETE', Nested: { n: 1 }, IsSuccess: true });
    expect(requests).toHaveLength(1);
    const req = requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url.pathname).toBe('/');
    expect(req.body).toBe('');
    expect(Object.fromEntries(req.url.searchParams)).toEqual({ InstanceId: 'cri-abc', RepoId: 'crr-1', Tag: 'v1 beta/中', PageSize: '30' });
    expect(req.headers['x-acs-action']).toBe('GetRepoTagScanStatus');
    expect(req.headers['x-acs-version']).toBe(VERSION);
    expect(req.headers.host).toBe(new URL(server.url).host);
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI5tTestKeyId,SignedHeaders=host;x-acs-action;/);
    expect(JSON.stringify(req)).not.toContain(SECRET);
    expectValidlySigned(req);
  });

  it('does not send empty or undefined parameters, and stringifies numbers and booleans', async () => {
    script = () => ok();
    const { rpc } = client();
    await rpc.call('ListRepoTag', { Empty: '', Missing: undefined, Zero: 0, No: false, Name: 'api' });
    const q = requests[0]!.url.searchParams;
    expect([...q.keys()].sort()).toEqual(['Name', 'No', 'Zero']);
    expect(q.get('Zero')).toBe('0');
    expect(q.get('No')).toBe('false');
    expectValidlySigned(requests[0]!);
  });

  it('with no parameters at all, posts to `/` with no query string', async () => {
    script = () => ok();
    await client().rpc.call('ListInstance', {});
    expect(requests[0]!.url.search).toBe('');
    expectValidlySigned(requests[0]!);
  });

  it('retries Throttling.User (400), re-signing every attempt with a fresh nonce, and succeeds', async () => {
    script = (_req, n) => (n < 3 ? fail(400, 'Throttling.User', 'Request was denied due to user flow control.') : ok({ Done: true }));
    const { rpc, retries } = client();
    const res = await rpc.call('CreateRepoTagScanTask', { RepoId: 'crr-1', Tag: 'v1' });
    expect(res.Done).toBe(true);
    expect(requests).toHaveLength(3);
    const nonces = requests.map((r) => r.headers['x-acs-signature-nonce']);
    const auths = requests.map((r) => r.headers.authorization);
    expect(new Set(nonces).size).toBe(3);
    expect(new Set(auths).size).toBe(3);
    for (const r of requests) expectValidlySigned(r);
    expect(retries.map((r) => [r.action, r.code, r.attempt])).toEqual([
      ['CreateRepoTagScanTask', 'Throttling.User', 1],
      ['CreateRepoTagScanTask', 'Throttling.User', 2],
    ]);
  });

  it('reads the credentials afresh for every attempt (rotated STS tokens are picked up)', async () => {
    let n = 0;
    const credentials = () => ({ accessKeyId: `STS.id${++n}`, accessKeySecret: `secret${n}`, securityToken: `token-${n}` });
    script = (_req, i) => (i === 1 ? fail(503, 'ServiceUnavailable') : ok());
    await client({ credentials }).rpc.call('GetRepository', { RepoName: 'api' });
    expect(requests.map((r) => r.headers['x-acs-security-token'])).toEqual(['token-1', 'token-2']);
    expectValidlySigned(requests[1]!, { accessKeyId: 'STS.id2', accessKeySecret: 'secret2', securityToken: 'token-2' });
  });

  it('an `x-acs-retry-after` header makes any error throttled, with the wait it asked for', async () => {
    script = () => fail(400, 'Some.BusinessLimit', 'slow down', { 'x-acs-retry-after': '3' });
    const err = await callError(client({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 5 } }).rpc.call('A', {}));
    expect(err.kind).toBe('throttled');
    expect(err.code).toBe('Some.BusinessLimit');
    expect(err.retryAfterMs).toBe(3);
    expect(err.status).toBe(400);
    // Without the header the same reply is an invalid request.
    script = () => fail(400, 'Some.BusinessLimit', 'slow down');
    expect((await callError(client({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 5 } }).rpc.call('A', {}))).kind).toBe('invalid');
  });

  it('an `x-acs-retry-after` reply is retried and the call then succeeds', async () => {
    script = (_req, n) => (n === 1 ? fail(400, 'Throttling.Api', 'busy', { 'x-acs-retry-after': '2' }) : ok({ n }));
    const { rpc, retries } = client();
    const res = await rpc.call('A', { X: '1' });
    expect(res.n).toBe(2);
    expect(requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(2);
  });

  it('retries a 503 and succeeds', async () => {
    script = (_req, n) => (n === 1 ? fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.') : ok({ ok: 1 }));
    const res = await client().rpc.call('A', {});
    expect(res.ok).toBe(1);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers['x-acs-signature-nonce']).not.toBe(requests[1]!.headers['x-acs-signature-nonce']);
  });

  it('retries a 502 with a non-JSON body, naming it by status', async () => {
    script = () => ({ status: 502, body: '<html>Bad Gateway</html>' });
    const err = await callError(client({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } }).rpc.call('A', {}));
    expect(requests).toHaveLength(2);
    expect(err.kind).toBe('unavailable');
    expect(err.code).toBe('HTTP502');
    expect(err.message).toContain('Bad Gateway');
  });

  it('gives up after `attempts` tries, throwing the last error', async () => {
    script = () => fail(500, 'InternalError', 'boom');
    const { rpc, retries } = client({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await callError(rpc.call('A', {}));
    expect(requests).toHaveLength(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(err.kind).toBe('unavailable');
    expect(err.code).toBe('InternalError');
    expect(err.retryable).toBe(true);
  });

  it('attempts: 1 means exactly one request', async () => {
    script = () => fail(400, 'Throttling.User');
    const err = await callError(client({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 2 } }).rpc.call('A', {}));
    expect(requests).toHaveLength(1);
    expect(err.kind).toBe('throttled');
  });

  const notRetried: { code: string; status: number; kind: FailureKind }[] = [
    { code: 'SignatureDoesNotMatch', status: 400, kind: 'auth' },
    { code: 'InvalidAccessKeyId.NotFound', status: 404, kind: 'auth' },
    { code: 'InvalidSecurityToken.Expired', status: 400, kind: 'auth' },
    { code: 'NoPrivilege', status: 403, kind: 'permission' },
    { code: 'Forbidden.RAM', status: 403, kind: 'permission' },
    { code: 'REPO_NOT_EXIST', status: 404, kind: 'not_found' },
    { code: 'InvalidParameter', status: 400, kind: 'invalid' },
  ];
  it.each(notRetried)('$code ($status) is not retried and is classified $kind', async ({ code, status, kind }) => {
    script = () => fail(status, code, 'Specified signature is not matched with our calculation.');
    const { rpc, retries } = client();
    const err = await callError(rpc.call('GetRepository', { RepoName: 'api' }));
    expect(requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
    expect(err.kind).toBe(kind);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('GetRepository');
    expect(err.message).toContain(code);
    expect(err.message).not.toContain(SECRET);
    expect(err.stack ?? '').not.toContain(SECRET);
  });

  it('a 200 with IsSuccess false is an error, not a result', async () => {
    script = () => ({ status: 200, body: { IsSuccess: false, Code: 'REPO_NOT_EXIST', Message: 'repo does not exist' } });
    const err = await callError(client().rpc.call('GetRepository', {}));
    expect(requests).toHaveLength(1);
    expect(err.code).toBe('REPO_NOT_EXIST');
    expect(err.kind).toBe('invalid');
    expect(err.message).toBe('GetRepository: REPO_NOT_EXIST: repo does not exist');
  });

  it('a 200 whose body is not JSON is an error', async () => {
    script = () => ({ status: 200, body: 'not json' });
    const err = await callError(client({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).rpc.call('A', {}));
    expect(err.code).toBe('HTTP200');
  });

  it('a refused connection is unavailable and retried', async () => {
    const closed = await startSimServer(() => ok());
    await closed.close();
    const { rpc, retries } = client({ endpoint: closed.url, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await callError(rpc.call('A', {}));
    expect(err.kind).toBe('unavailable');
    expect(err.code).toBe('ECONNREFUSED');
    expect(retries).toHaveLength(1);
  });

  it('a timeout after sending is retried too (status reads and scan starts are repeatable)', async () => {
    // undici checks headersTimeout on a coarse (~0.5–1 s) clock, so the first reply is held until the call is over.
    const slowHttp = createHttpClient({ timeoutMs: 100 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    script = async (_req, n) => {
      if (n === 1) {
        await held;
        return ok({ first: true });
      }
      return ok({ second: true });
    };
    try {
      const res = await client({ http: slowHttp }).rpc.call('A', {});
      expect(res.second).toBe(true);
      expect(res.first).toBeUndefined();
      expect(requests).toHaveLength(2);
    } finally {
      release();
      await slowHttp.close();
    }
  });
});

describe('classifyAlibabaError', () => {
  const table: [number, string, FailureKind][] = [
    [400, 'Throttling', 'throttled'],
    [400, 'Throttling.User', 'throttled'],
    [503, 'Throttling.Api', 'throttled'],
    [400, 'SignatureDoesNotMatch', 'auth'],
    [400, 'IncompleteSignature', 'auth'],
    [400, 'SignatureNonceUsed', 'auth'],
    [400, 'InvalidTimeStamp.Expired', 'auth'],
    [404, 'InvalidAccessKeyId.NotFound', 'auth'],
    [400, 'InvalidAccessKeyId.Inactive', 'auth'],
    [400, 'InvalidSecurityToken.Expired', 'auth'],
    [403, 'Forbidden.RAM', 'permission'],
    [403, 'Forbidden', 'permission'],
    [403, 'NoPermission', 'permission'],
    [403, 'NoPrivilege', 'permission'],
    // Security Center: its own permission code, also documented with 400, and its quota code (sic).
    [400, 'NoPermission', 'permission'],
    [500, 'ServerError', 'unavailable'],
    [400, 'BeyondQuata', 'quota'],
    [400, 'BeyondQuota', 'quota'],
    [400, 'BeyondQuataLimit', 'invalid'],
    [500, 'InternalError', 'unavailable'],
    [503, 'ServiceUnavailable', 'unavailable'],
    [400, 'SystemError', 'unavailable'],
    [502, 'HTTP502', 'unavailable'],
    [500, 'UnknownError', 'unavailable'],
    [404, 'REPO_NOT_EXIST', 'not_found'],
    [404, 'HTTP404', 'not_found'],
    [400, 'InvalidParameter', 'invalid'],
    [400, 'MissingParameter', 'invalid'],
    [409, 'REPO_TAG_SCAN_TASK_EXIST', 'invalid'],
    // Prefixes only: a code merely containing a keyword is not reclassified.
    [400, 'Invalid.ThrottlingConfig', 'invalid'],
    [400, 'RequestForbiddenByPolicy', 'invalid'],
  ];
  it.each(table)('%i %s → %s', (status, code, kind) => {
    expect(classifyAlibabaError(status, code)).toBe(kind);
  });
});
