import { createHmac } from 'node:crypto';
import { percentEncode, sha256Hex } from '../encoding.js';

/** Huawei Cloud APIG AK/SK request signature, SDK-HMAC-SHA256 (https://support.huaweicloud.com/devg-apisign/api-sign-algorithm-001.html). */
const APIG_ALGORITHM = 'SDK-HMAC-SHA256';

export interface HuaweiAkSk {
  accessKey: string;
  secretKey: string;
  /** Temporary (STS) keys come with one; it is sent and signed as `X-Security-Token`. */
  securityToken?: string;
}

/** Query parameters; a list is a repeated parameter. Undefined values are not sent. */
export type QueryParams = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface ApigRequest {
  method: string;
  /** The path exactly as it goes on the wire: each segment already URI-encoded (see `pathSegment`). */
  path: string;
  query?: QueryParams;
  /** Headers to send, every one of them signed; `host` belongs here when it should be signed (it always should). */
  headers: Record<string, string>;
  body?: string;
  /** `YYYYMMDDTHHMMSSZ`: fixed for test vectors, fresh on every real request. */
  date?: string;
}

export interface SignedApig {
  /** What to send: the request's headers (lower-case names) plus `x-sdk-date`, `authorization`, `x-security-token`. */
  headers: Record<string, string>;
  canonicalRequest: string;
  signature: string;
  /** The canonical query string, which is also what to send after `?`. */
  queryString: string;
}

/** `20191115T033655Z`. */
export const sdkDate = (now = new Date()): string =>
  now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

/**
 * One path segment for the wire. `:` and `@` stay as they are (Harbor-style `sha256:…` references);
 * everything else outside the unreserved set is %-encoded. The canonical URI re-encodes the decoded value,
 * so the two need not be byte-identical.
 */
export const pathSegment = (value: string): string => percentEncode(value).replace(/%3A/g, ':').replace(/%40/g, '@');

/**
 * The canonical URI: each segment of the path as sent is decoded once and URI-encoded once (a `:` is signed as
 * `%3A`, a sent `%252F` stays `%252F`), with a trailing `/` added for signing only. This is what APIG computes
 * from the request it receives; the official Node SDK instead encodes the already-encoded segment a second time.
 */
export const canonicalUri = (path: string): string => {
  const uri = path
    .split('/')
    .map((segment) => percentEncode(decodeURIComponent(segment)))
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
};

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted by name, repeated values sorted too, names and values URI-encoded, `name=` for an empty value. */
export const canonicalQueryString = (query: QueryParams = {}): string =>
  Object.keys(query)
    .filter((k) => query[k] !== undefined)
    .sort(byCodeUnit)
    .flatMap((k) => {
      const value = query[k]!;
      const values = Array.isArray(value) ? [...(value as readonly string[])].sort(byCodeUnit) : [String(value)];
      return values.map((v) => `${percentEncode(k)}=${percentEncode(v)}`);
    })
    .join('&');

export const signApig = (req: ApigRequest, creds: HuaweiAkSk): SignedApig => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  headers['x-sdk-date'] = req.date ?? sdkDate();
  if (creds.securityToken) headers['x-security-token'] = creds.securityToken;

  const names = Object.keys(headers).sort(byCodeUnit);
  const signedHeaders = names.join(';');
  const queryString = canonicalQueryString(req.query);
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    queryString,
    names.map((n) => `${n}:${(headers[n] ?? '').trim()}\n`).join(''),
    signedHeaders,
    sha256Hex(req.body ?? ''),
  ].join('\n');
  const stringToSign = `${APIG_ALGORITHM}\n${headers['x-sdk-date']}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', creds.secretKey).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `${APIG_ALGORITHM} Access=${creds.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, signature, queryString };
};
