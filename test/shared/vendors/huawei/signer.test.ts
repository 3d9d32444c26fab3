import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../shared/vendors/encoding.js';
import {
  type ApigRequest,
  canonicalQueryString,
  canonicalUri,
  type HuaweiAkSk,
  pathSegment,
  sdkDate,
  signApig,
} from '../../../../shared/vendors/huawei/signer.js';
import { artifactPath, repositorySegment } from '../../../../shared/vendors/huawei/swr.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('signApig: the published vectors', () => {
  it('APIG signing doc: GET …/vpcs?limit=2&marker=… with content-type, host and x-sdk-date', () => {
    const signed = signApig(
      {
        method: 'GET',
        path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
        query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
        headers: { 'Content-Type': 'application/json', Host: 'service.region.example.com' },
        date: '20191115T033655Z',
      },
      { accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' },
    );
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json',
        'host:service.region.example.com',
        'x-sdk-date:20191115T033655Z',
        '',
        'content-type;host;x-sdk-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(sha256Hex(signed.canonicalRequest)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(signed.signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(signed.headers.authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(signed.queryString).toBe('limit=2&marker=13551d6b-755d-4757-b956-536f674975c0');
  });

  it('Go SDK signer_test: GET /path?limit=1 signing x-sdk-date only', () => {
    const signed = signApig(
      { method: 'GET', path: '/path', query: { limit: '1' }, headers: {}, date: '20060102T150405Z' },
      { accessKey: 'AccessKey', secretKey: 'SecretKey' },
    );
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/path/');
    expect(signed.headers.authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });
});

describe('canonical parts', () => {
  it('the canonical URI adds a trailing slash for signing only, and keeps one that is there', () => {
    expect(canonicalUri('/v1/p/vpcs')).toBe('/v1/p/vpcs/');
    expect(canonicalUri('/v1/p/vpcs/')).toBe('/v1/p/vpcs/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('')).toBe('/');
  });

  it('encodes each segment as sent exactly once: a digest ":" is signed as %3A, a sent %252F stays %252F', () => {
    expect(canonicalUri('/a/sha256:abc')).toBe('/a/sha256%3Aabc/');
    expect(canonicalUri('/a/sha256%3Aabc')).toBe('/a/sha256%3Aabc/');
    expect(canonicalUri('/r/team%252Fapi-gw/x')).toBe('/r/team%252Fapi-gw/x/');
    expect(canonicalUri('/r/%E4%B8%AD')).toBe('/r/%E4%B8%AD/');
  });

  it('an SWR repository name with / is one segment, %2F encoded once more on the wire', () => {
    expect(repositorySegment('team/api-gw')).toBe('team%252Fapi-gw');
    expect(repositorySegment('a/b/c')).toBe('a%252Fb%252Fc');
    expect(repositorySegment('plain')).toBe('plain');
    const digest = `sha256:${'ab'.repeat(32)}`;
    const path = artifactPath('proj1', { instanceId: 'inst-1', namespace: 'ns', repository: 'team/api-gw', digest });
    expect(path).toBe(`/v2/proj1/instances/inst-1/namespaces/ns/repositories/team%252Fapi-gw/artifacts/${digest}`);
    expect(canonicalUri(path)).toBe(`/v2/proj1/instances/inst-1/namespaces/ns/repositories/team%252Fapi-gw/artifacts/sha256%3A${'ab'.repeat(32)}/`);
  });

  it('path segments for the wire: unreserved and : @ as they are, the rest %-encoded', () => {
    expect(pathSegment('sha256:0f')).toBe('sha256:0f');
    expect(pathSegment('a b/c?d#e%')).toBe('a%20b%2Fc%3Fd%23e%25');
    expect(pathSegment('中')).toBe('%E4%B8%AD');
    expect(pathSegment("it's(*)")).toBe('it%27s%28%2A%29');
  });

  it('the query: sorted by name, repeated values sorted, empty values as name=, undefined left out, RFC 3986 encoding', () => {
    expect(
      canonicalQueryString({
        zeta: 'z',
        tags: ['b', 'a b', 'a'],
        empty: '',
        skipped: undefined,
        n: 2,
        flag: false,
        ns: '团队',
        q: "a+b=c&d/~*'()!",
      }),
    ).toBe('empty=&flag=false&n=2&ns=%E5%9B%A2%E9%98%9F&q=a%2Bb%3Dc%26d%2F~%2A%27%28%29%21&tags=a&tags=a%20b&tags=b&zeta=z');
    expect(canonicalQueryString({})).toBe('');
    expect(canonicalQueryString()).toBe('');
  });

  it('X-Sdk-Date is compact UTC to the second', () => {
    expect(sdkDate(new Date('2019-11-15T03:36:55.789Z'))).toBe('20191115T033655Z');
    expect(sdkDate()).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('temporary keys send and sign X-Security-Token; header names are lower-cased and values trimmed', () => {
    const signed = signApig(
      { method: 'get', path: '/v5/p/image', headers: { Host: 'hss.example.com', Region: '  cn-north-4 ' }, date: '20240101T000000Z' },
      { accessKey: 'AK', secretKey: 'SK', securityToken: 'sts-token/+=' },
    );
    expect(signed.headers['x-security-token']).toBe('sts-token/+=');
    expect(signed.headers.authorization).toContain('SignedHeaders=host;region;x-sdk-date;x-security-token,');
    expect(signed.canonicalRequest).toContain('\nregion:cn-north-4\n');
    expect(signed.canonicalRequest.startsWith('GET\n')).toBe(true);
  });

  it('the body, secret, method and every signed header change the signature', () => {
    const req: ApigRequest = { method: 'POST', path: '/v5/p/image/batch-scan', headers: { host: 'h', region: 'r' }, body: '{"a":1}', date: '20240101T000000Z' };
    const creds = { accessKey: 'AK', secretKey: 'SK' };
    const base = signApig(req, creds).signature;
    expect(signApig({ ...req, body: '{"a":2}' }, creds).signature).not.toBe(base);
    expect(signApig(req, { ...creds, secretKey: 'SK2' }).signature).not.toBe(base);
    expect(signApig({ ...req, method: 'PUT' }, creds).signature).not.toBe(base);
    expect(signApig({ ...req, headers: { host: 'h', region: 'r2' } }, creds).signature).not.toBe(base);
    expect(signApig({ ...req, date: '20240101T000001Z' }, creds).signature).not.toBe(base);
    expect(signApig(req, creds).signature).toBe(base);
  });
});

/**
 * The official Node SDK (`@huaweicloud/huaweicloud-sdk-core` AKSKSigner) as its clients call it: the endpoint URL with
 * path parameters substituted as plain values, the query as an object (arrays for repeated names), the body as data.
 */
const official = (req: ApigRequest, creds: HuaweiAkSk, ours: Record<string, string>, sdkPath?: string): string => {
  const { authorization: _ours, 'x-sdk-date': date, ...headers } = ours;
  const queryParams = Object.fromEntries(
    Object.entries(req.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? [...v] : String(v)]),
  );
  const signed = AKSKSigner.sign(
    {
      endpoint: `https://${headers.host}${sdkPath ?? valuePath(req.path)}`,
      headers: { ...headers, 'X-Sdk-Date': date },
      method: req.method,
      queryParams,
      data: req.body === undefined ? undefined : JSON.parse(req.body),
    } as never,
    { getAk: () => creds.accessKey, getSk: () => creds.secretKey } as never,
  ) as Record<string, string>;
  return signed.Authorization!;
};
/** The path with each segment's value as the SDK substitutes it: the wire segment decoded once. */
const valuePath = (wire: string) => wire.split('/').map(decodeURIComponent).join('/');

describe('signApig agrees with the official @huaweicloud/huaweicloud-sdk-core signer', () => {
  const creds: HuaweiAkSk = { accessKey: 'HPUAEXAMPLEAKEXAMPLE', secretKey: 'ExampleSecretKey/With+Chars=0123456789' };
  const date = '20250301T101112Z';
  const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  const swrHeaders = { host: 'swr-api.cn-north-4.myhuaweicloud.com', 'content-type': 'application/json', 'x-project-id': 'proj0123' };
  const hssHeaders = { host: 'hss.cn-north-4.myhuaweicloud.com', 'content-type': 'application/json', 'x-project-id': 'proj0123', region: 'cn-north-4' };
  const ref = { instanceId: 'inst-9', namespace: 'team-a', digest };

  const cases: { name: string; req: ApigRequest; creds?: HuaweiAkSk }[] = [
    {
      name: 'SWR EE start scan: POST, repository name with /, digest with :',
      req: { method: 'POST', path: `${artifactPath('proj0123', { ...ref, repository: 'team/api-gw' })}/scan`, headers: swrHeaders, date },
    },
    {
      name: 'SWR EE artifact with scan overview: a nested repository name and a query',
      req: {
        method: 'GET',
        path: artifactPath('proj0123', { ...ref, repository: 'group/sub/api' }),
        query: { with_scan_overview: 'true' },
        headers: swrHeaders,
        date,
      },
    },
    {
      name: 'HSS image list: empty values, repeated names, non-ASCII, reserved characters',
      req: {
        method: 'GET',
        path: '/v5/proj0123/image/swr-repository',
        query: {
          image_type: 'private_image',
          namespace: '团队-α',
          image_name: 'api gw+1',
          image_version: '',
          scan_status: ['scanning', 'failed', 'waiting_for_scan', 'failed'],
          filter: "a=b&c=d;e/f?g#h~*'()!",
          emoji: '🚀',
          limit: 200,
        },
        headers: hssHeaders,
        date,
      },
    },
    {
      name: 'HSS scan task: POST with a JSON body holding non-ASCII text',
      req: {
        method: 'POST',
        path: '/v5/proj0123/image/image-scan/tasks',
        query: { enterprise_project_id: '0' },
        headers: hssHeaders,
        body: JSON.stringify({
          scan_scope: 983040,
          image_info: [{ image_digest: digest, namespace: '命名空间', image_name: 'api', registry_type: 'SwrPrivate' }],
        }),
        date,
      },
    },
    {
      name: 'no query, only host and the date signed (the SDK always signs host)',
      req: { method: 'DELETE', path: '/v5/proj0123/image/thing', headers: { host: 'hss.cn-north-4.myhuaweicloud.com' }, date },
    },
    {
      name: 'a non-ASCII path segment',
      req: { method: 'GET', path: `/v2/proj0123/instances/inst-9/namespaces/${pathSegment('命名')}/repositories`, headers: swrHeaders, date },
    },
    {
      name: 'temporary keys: X-Security-Token is signed',
      req: { method: 'GET', path: '/v5/proj0123/image/registries/images', query: { image_type: 'instance_image' }, headers: hssHeaders, date },
      creds: { ...creds, securityToken: 'gQpjbi1ub3J0aC00+token/with=chars' },
    },
  ];

  it.each(cases)('$name', ({ req, creds: c }) => {
    const credentials = c ?? creds;
    const ours = signApig(req, credentials);
    expect(ours.headers.authorization).toBe(official(req, credentials, ours.headers));
  });

  it('on any query the SDK signs the same (property, 200 random queries)', () => {
    const value = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.oneof(value, fc.array(value, { maxLength: 3 }))), (query) => {
        const req: ApigRequest = { method: 'GET', path: '/v5/p/image/swr-repository', query, headers: hssHeaders, date };
        const ours = signApig(req, creds);
        expect(ours.headers.authorization).toBe(official(req, creds, ours.headers));
      }),
      { numRuns: 200 },
    );
  });

  it('on any repository name, / included, the SDK given the name as a value signs the same (property)', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9._\-/:@%]{0,30}$/);
    fc.assert(
      fc.property(name, (repository) => {
        const req: ApigRequest = { method: 'POST', path: `${artifactPath('proj0123', { ...ref, repository })}/scan`, headers: swrHeaders, date };
        const ours = signApig(req, creds);
        expect(ours.headers.authorization).toBe(official(req, creds, ours.headers));
      }),
      { numRuns: 200 },
    );
  });

  it('where the SDK differs: handed the path as sent (team%252Fapi-gw), it encodes the % again; we follow the spec', () => {
    // Huawei APIG's signing spec: the canonical URI encodes each segment once. APIG decodes what it receives and encodes each
    // segment once, so the sent `team%252Fapi-gw` is signed as `team%252Fapi-gw`. The Node SDK runs its encoder over
    // the URL's path as it stands, which turns the same segment into `team%25252Fapi-gw`.
    const req = cases[0]!.req;
    const ours = signApig(req, creds);
    expect(ours.canonicalRequest.split('\n')[1]).toContain('/repositories/team%252Fapi-gw/artifacts/sha256%3A');
    const sdkOnWirePath = official(req, creds, ours.headers, req.path);
    expect(sdkOnWirePath).not.toBe(ours.headers.authorization);
    // …and with the segment's value (what it is meant to be given) it agrees, as in the cases above.
    expect(official(req, creds, ours.headers)).toBe(ours.headers.authorization);
  });

  it('the cross-check is sensitive: a changed header, query value or body makes the SDK disagree', () => {
    const req = cases[3]!.req;
    const ours = signApig(req, creds);
    expect(official(req, creds, { ...ours.headers, region: 'cn-east-3' })).not.toBe(ours.headers.authorization);
    expect(official({ ...req, query: { enterprise_project_id: '1' } }, creds, ours.headers)).not.toBe(ours.headers.authorization);
    expect(official({ ...req, body: '{"scan_scope":0}' }, creds, ours.headers)).not.toBe(ours.headers.authorization);
  });
});
