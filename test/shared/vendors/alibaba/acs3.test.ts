import OpenApiUtilModule from '@alicloud/openapi-util';
import * as $tea from '@alicloud/tea-typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Acs3Request,
  type AlibabaCredentials,
  acsDate,
  canonicalQuery,
  percentEncode,
  sha256Hex,
  signAcs3,
} from '../../../../shared/vendors/alibaba/acs3.js';

/**
 * The official util is CommonJS with `exports.default = Client`; depending on the interop layer the
 * default import is either the class itself or the whole `exports` object.
 */
interface OfficialUtil {
  getAuthorization(request: $tea.Request, algorithm: string, payloadHash: string, ak: string, secret: string): string;
}
const mod = OpenApiUtilModule as unknown as OfficialUtil & { default?: OfficialUtil };
const OpenApiUtil: OfficialUtil = typeof mod.getAuthorization === 'function' ? mod : mod.default!;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('signAcs3: the published vector (Alibaba Cloud V3 signature doc, RunInstances)', () => {
  const req: Acs3Request = {
    method: 'POST',
    host: 'ecs.cn-shanghai.aliyuncs.com',
    path: '/',
    action: 'RunInstances',
    version: '2014-05-26',
    query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
    body: '',
    date: '2023-10-26T10:22:32Z',
    nonce: '3156853299f313e23d1673dc12e1703d',
  };
  const creds = { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' };
  const signed = signAcs3(req, creds);

  it('builds the documented canonical request', () => {
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action:RunInstances',
        `x-acs-content-sha256:${EMPTY_SHA256}`,
        'x-acs-date:2023-10-26T10:22:32Z',
        'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
        'x-acs-version:2014-05-26',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(sha256Hex(signed.canonicalRequest)).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
  });

  it('produces the documented signature and Authorization header', () => {
    expect(signed.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    expect(signed.headers.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,' +
        'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
        'Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('returns the headers it signed and the query string it signed', () => {
    expect(signed.headers).toMatchObject({
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': EMPTY_SHA256,
    });
    expect(signed.headers).not.toHaveProperty('x-acs-security-token');
    expect(signed.queryString).toBe('ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai');
  });

  it('a different secret, body or method changes the signature', () => {
    expect(signAcs3(req, { ...creds, accessKeySecret: 'other' }).signature).not.toBe(signed.signature);
    const withBody = signAcs3({ ...req, body: '{"a":1}' }, creds);
    expect(withBody.headers['x-acs-content-sha256']).toBe(sha256Hex('{"a":1}'));
    expect(withBody.signature).not.toBe(signed.signature);
    // the method is upper-cased before signing
    expect(signAcs3({ ...req, method: 'post' }, creds).signature).toBe(signed.signature);
    expect(signAcs3({ ...req, method: 'GET' }, creds).signature).not.toBe(signed.signature);
  });
});

describe('signAcs3 agrees with the official @alicloud/openapi-util', () => {
  const officialAuthorization = (req: Acs3Request, creds: AlibabaCredentials, headers: Record<string, string>) => {
    const request = new $tea.Request();
    request.method = req.method;
    request.pathname = req.path;
    request.query = { ...req.query };
    const { authorization: _ours, ...signedHeaders } = headers;
    // What a real client also sends; the official util ignores headers it does not sign, and so must we.
    request.headers = { ...signedHeaders, accept: 'application/json', 'user-agent': 'scanhook-test' };
    return OpenApiUtil.getAuthorization(request, 'ACS3-HMAC-SHA256', sha256Hex(req.body ?? ''), creds.accessKeyId, creds.accessKeySecret);
  };

  const base = {
    method: 'POST',
    host: 'cr.cn-hangzhou.aliyuncs.com',
    path: '/',
    version: '2018-12-01',
    date: '2024-05-01T08:09:10Z',
    nonce: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  };
  const creds: AlibabaCredentials = { accessKeyId: 'LTAI5tExampleKeyId', accessKeySecret: 'ExampleSecret/With+Chars=' };

  const cases: { name: string; req: Acs3Request; creds?: AlibabaCredentials }[] = [
    {
      name: 'spaces, *, ~',
      req: { ...base, action: 'ListRepository', query: { InstanceId: 'cri-abc', RepoName: 'my repo*~v1', Note: '  lead and trail  ' } },
    },
    {
      name: '/, +, =, & in values',
      req: { ...base, action: 'GetRepoTagScanStatus', query: { RepoNamespaceName: 'team/api-gw', Filter: 'a+b=c&d=e', Path: '/x/y/' } },
    },
    {
      name: 'non-ASCII: CJK and emoji',
      req: { ...base, action: 'CreateRepository', query: { Summary: '中文描述 镜像', Tag: 'rocket-🚀', Detail: 'Ünïcödé ß' } },
    },
    {
      name: 'RFC 3986 reserved and sub-delims',
      req: { ...base, action: 'ListRepoTag', query: { Q: "!'()*-._~", R: ':/?#[]@$,;%', S: '"<>\\^`{|}' } },
    },
    {
      name: 'many parameters, keys needing sort order (upper before lower, dots)',
      req: {
        ...base,
        action: 'ListRepoTagScanResult',
        query: Object.fromEntries([
          ...Array.from({ length: 25 }, (_, i) => [`Tag.${i + 1}.Key`, `k ${i}`]),
          ['aLower', 'x'],
          ['Zeta', 'z'],
          ['PageSize', '30'],
          ['PageNo', '1'],
          ['Severity', 'High'],
        ]),
      },
    },
    {
      name: 'a request body and the GET method',
      req: { ...base, method: 'GET', action: 'DescribeThings', query: { RegionId: 'cn-beijing' }, body: '{"Name":"中文","n":1}' },
    },
    {
      name: 'an empty query',
      req: { ...base, action: 'ListInstance', query: {} },
    },
    {
      name: 'STS credentials add x-acs-security-token',
      req: { ...base, action: 'GetRepository', query: { InstanceId: 'cri-abc', RepoName: 'api' } },
      creds: {
        accessKeyId: 'STS.NUexampleKeyId',
        accessKeySecret: 'stsSecret',
        securityToken: 'CAIS+token/with=chars&more 中',
      },
    },
  ];

  it.each(cases)('$name', ({ req, creds: c }) => {
    const credentials = c ?? creds;
    const ours = signAcs3(req, credentials);
    if (credentials.securityToken) {
      expect(ours.headers['x-acs-security-token']).toBe(credentials.securityToken);
      expect(ours.headers.authorization).toContain('x-acs-security-token');
    }
    expect(ours.headers.authorization).toBe(officialAuthorization(req, credentials, ours.headers));
  });

  it('the cross-check itself is sensitive: a tampered header or query value disagrees', () => {
    const req = cases[1]!.req;
    const ours = signAcs3(req, creds);
    expect(officialAuthorization(req, creds, { ...ours.headers, 'x-acs-action': 'Other' })).not.toBe(ours.headers.authorization);
    expect(officialAuthorization({ ...req, query: { ...req.query, Filter: 'a b' } }, creds, ours.headers)).not.toBe(ours.headers.authorization);
  });
});

describe('percentEncode and canonicalQuery', () => {
  it('leaves only unreserved characters as they are', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode(' ')).toBe('%20');
    expect(percentEncode('+')).toBe('%2B');
    expect(percentEncode('*')).toBe('%2A');
    expect(percentEncode('/')).toBe('%2F');
    expect(percentEncode('=')).toBe('%3D');
    expect(percentEncode('&')).toBe('%26');
    expect(percentEncode("!'()")).toBe('%21%27%28%29');
    expect(percentEncode('%')).toBe('%25');
  });

  it('encodes non-ASCII as upper-case UTF-8 octets', () => {
    expect(percentEncode('中文')).toBe('%E4%B8%AD%E6%96%87');
    expect(percentEncode('🚀')).toBe('%F0%9F%9A%80');
    expect(percentEncode('é')).toBe('%C3%A9');
  });

  it('every encoded character is unreserved or an upper-case %XX', () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    const encoded = percentEncode(all);
    expect(encoded).toMatch(/^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})+$/);
    expect(decodeURIComponent(encoded)).toBe(all);
  });

  it('sorts keys by code point and encodes keys and values', () => {
    expect(canonicalQuery({ b: '2', a: '1', B: '3', 'a.b': '4', 'a b': '5' })).toBe('B=3&a=1&a%20b=5&a.b=4&b=2');
    expect(canonicalQuery({ 'Tag.10.Key': 'x', 'Tag.2.Key': 'y', 'Tag.1.Key': 'z' })).toBe('Tag.1.Key=z&Tag.10.Key=x&Tag.2.Key=y');
  });

  it('keeps empty values as `key=` and returns "" for no params', () => {
    expect(canonicalQuery({ A: '', B: 'x' })).toBe('A=&B=x');
    expect(canonicalQuery({})).toBe('');
  });

  it('acsDate drops milliseconds and keeps UTC', () => {
    expect(acsDate(new Date('2023-10-26T10:22:32.987Z'))).toBe('2023-10-26T10:22:32Z');
    expect(acsDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02T03:04:05Z');
  });
});

describe('fresh date and nonce', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const req: Acs3Request = { method: 'POST', host: 'h', path: '/', action: 'A', version: 'v', query: { X: '1' } };
  const creds = { accessKeyId: 'id', accessKeySecret: 'secret' };

  it('every call gets a new 128-bit nonce, so the signature differs', () => {
    const nonces = new Set<string>();
    const signatures = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = signAcs3(req, creds);
      expect(s.headers['x-acs-signature-nonce']).toMatch(/^[0-9a-f]{32}$/);
      nonces.add(s.headers['x-acs-signature-nonce']!);
      signatures.add(s.signature);
    }
    expect(nonces.size).toBe(50);
    expect(signatures.size).toBe(50);
  });

  it('the date is the current time when not fixed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-02T03:04:05.678Z'));
    const first = signAcs3(req, creds);
    expect(first.headers['x-acs-date']).toBe('2030-01-02T03:04:05Z');
    vi.setSystemTime(new Date('2030-01-02T03:04:17.001Z'));
    const second = signAcs3(req, creds);
    expect(second.headers['x-acs-date']).toBe('2030-01-02T03:04:17Z');
    expect(second.canonicalRequest).toContain('x-acs-date:2030-01-02T03:04:17Z\n');
  });

  it('fixed date and nonce make signing deterministic', () => {
    const fixed = { ...req, date: '2024-01-01T00:00:00Z', nonce: 'n' };
    expect(signAcs3(fixed, creds).headers.authorization).toBe(signAcs3(fixed, creds).headers.authorization);
  });
});
