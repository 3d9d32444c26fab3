import { createHmac, randomUUID } from 'node:crypto';
import { percentEncode, sha256Hex } from '../../shared/vendors/alibaba/acs3.js';
import { type SimRequest, type SimResponse, startSimServer } from './server.js';

/** The key pair the Alibaba simulators (ACR, Security Center) accept; local mode and the tests sign with it. */
export const ALIBABA_SIM_CREDENTIALS = { accessKeyId: 'LTAI5tSimulatorKey', accessKeySecret: 'sim-secret-do-not-use-0123456789' };
export type SimCredentials = typeof ALIBABA_SIM_CREDENTIALS;

/** An Alibaba RPC error body, as every Alibaba API answers one. */
export const alibabaError = (status: number, code: string, message: string, headers?: Record<string, string>): SimResponse => ({
  status,
  ...(headers ? { headers } : {}),
  body: { Code: code, Message: message, RequestId: randomUUID() },
});

/**
 * Checks an ACS3-HMAC-SHA256 request as Alibaba's gateway does: the signed headers, the body hash, the date's
 * skew, a nonce never seen before, and the signature recomputed from what arrived. Answers the gateway's error, or
 * undefined when the request is genuine.
 */
export const createAcs3Verifier = (creds: SimCredentials) => {
  const seenNonces = new Set<string>();
  return (req: SimRequest): SimResponse | undefined => {
    const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    if (!auth) return alibabaError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    const [, keyId, signedHeaders, signature] = auth as unknown as [string, string, string, string];
    if (keyId !== creds.accessKeyId) return alibabaError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const names = signedHeaders.split(';');
    for (const required of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
      if (!names.includes(required)) return alibabaError(400, 'IncompleteSignature', `header ${required} is not signed`);
    }
    if (sha256Hex(req.body) !== req.headers['x-acs-content-sha256'])
      return alibabaError(400, 'IncompleteSignature', 'x-acs-content-sha256 does not match the body');
    const skew = Math.abs(Date.parse(req.headers['x-acs-date'] ?? '') - Date.now());
    if (!(skew < 15 * 60_000)) return alibabaError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const nonce = req.headers['x-acs-signature-nonce'] ?? '';
    if (seenNonces.has(nonce)) return alibabaError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    // The server's own canonical form of the query it received: decode, sort, RFC 3986-encode.
    const query = [...req.url.searchParams]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
    const canonical = [
      req.method,
      req.url.pathname,
      query,
      names.map((n) => `${n}:${(req.headers[n] ?? '').trim()}\n`).join(''),
      signedHeaders,
      req.headers['x-acs-content-sha256'],
    ].join('\n');
    const expected = createHmac('sha256', creds.accessKeySecret)
      .update(`ACS3-HMAC-SHA256\n${sha256Hex(canonical)}`)
      .digest('hex');
    if (expected !== signature) return alibabaError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    seenNonces.add(nonce);
    return undefined;
  };
};

/** One call an Alibaba RPC simulator answered. */
export interface RpcSimCall {
  action: string;
  params: Record<string, string>;
  status: number;
  body: Record<string, unknown>;
}

/**
 * An Alibaba RPC API on 127.0.0.1: every request's ACS3 signature is checked, then `handle` answers it by its action
 * and query parameters; every call is kept, for tests and the bench to count.
 */
export const startRpcSimServer = async (creds: SimCredentials, handle: (action: string, params: Record<string, string>) => SimResponse, port?: number) => {
  const verify = createAcs3Verifier(creds);
  const calls: RpcSimCall[] = [];
  const server = await startSimServer((req) => {
    const action = req.headers['x-acs-action'] ?? '';
    const params = Object.fromEntries(req.url.searchParams);
    const res = verify(req) ?? handle(action, params);
    calls.push({ action, params, status: res.status, body: res.body as Record<string, unknown> });
    return res;
  }, port);
  return {
    url: server.url,
    close: server.close,
    credentials: creds,
    calls,
    /** Calls of one action, e.g. to count status checks or create calls. */
    count: (action: string) => calls.filter((c) => c.action === action).length,
  };
};
