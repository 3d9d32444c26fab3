import { createHmac, randomBytes } from 'node:crypto';
import { percentEncode, sha256Hex } from '../encoding.js';

export { percentEncode, sha256Hex };

/** Alibaba Cloud V3 request signature, ACS3-HMAC-SHA256 (https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature). */
export interface AlibabaCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface Acs3Request {
  method: string;
  host: string;
  /** `/` for RPC-style APIs. */
  path: string;
  action: string;
  version: string;
  query: Record<string, string>;
  body?: string;
  /** Fixed for test vectors; fresh on every real request. */
  date?: string;
  nonce?: string;
}

export const canonicalQuery = (query: Record<string, string>): string =>
  Object.keys(query)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(query[k] ?? '')}`)
    .join('&');

/** `2023-10-26T10:22:32Z`: ISO 8601 UTC without milliseconds. */
export const acsDate = (now = new Date()): string => now.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SignedAcs3 {
  headers: Record<string, string>;
  canonicalRequest: string;
  signature: string;
  queryString: string;
}

export const signAcs3 = (req: Acs3Request, creds: AlibabaCredentials): SignedAcs3 => {
  const body = req.body ?? '';
  const headers: Record<string, string> = {
    host: req.host,
    'x-acs-action': req.action,
    'x-acs-version': req.version,
    'x-acs-date': req.date ?? acsDate(),
    'x-acs-signature-nonce': req.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': sha256Hex(body),
  };
  if (creds.securityToken) headers['x-acs-security-token'] = creds.securityToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const queryString = canonicalQuery(req.query);
  const canonicalRequest = [
    req.method.toUpperCase(),
    req.path,
    queryString,
    names.map((n) => `${n}:${(headers[n] ?? '').trim()}\n`).join(''),
    signedHeaders,
    headers['x-acs-content-sha256'],
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', creds.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${creds.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { headers, canonicalRequest, signature, queryString };
};
