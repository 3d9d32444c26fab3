/**
 * Chat URLs carry their credentials in query values, path tokens and hook ids. For printing, every path segment
 * and query value that is not a known public word is masked: a new URL shape leaks nothing.
 */
const PUBLIC_SEGMENTS = new Set([
  'services',
  'workflows',
  'triggers',
  'manual',
  'paths',
  'invoke',
  'robot',
  'send',
  'open-apis',
  'bot',
  'v1',
  'v2',
  'hook',
  'cgi-bin',
  'webhook',
  'api',
  'webhooks',
  'spaces',
  'messages',
]);
const PUBLIC_PARAMS = new Set(['api-version', 'sp', 'sv', 'timestamp', 'threadKey', 'messageReplyOption', 'requestId', 'wait']);
const PUBLIC_HEADERS = new Set(['content-type']);
/** Body fields derived from a secret. */
const SECRET_FIELDS = new Set(['sign']);
export const MASK = '••••';

export const maskUrl = (raw: string): string => {
  const url = new URL(raw);
  const path = url.pathname
    .split('/')
    .map((seg) => (seg === '' || PUBLIC_SEGMENTS.has(seg) ? seg : MASK))
    .join('/');
  const query = [...url.searchParams].map(([k, v]) => `${k}=${PUBLIC_PARAMS.has(k) ? encodeURIComponent(v) : MASK}`).join('&');
  return `${url.origin}${path}${query ? `?${query}` : ''}`;
};

export const maskHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, PUBLIC_HEADERS.has(k.toLowerCase()) ? v : MASK]));

export const maskBody = (body: unknown): unknown =>
  body && typeof body === 'object' && !Array.isArray(body)
    ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? MASK : v]))
    : body;
