import { createHash } from 'node:crypto';

/** Helpers both vendors' request signatures share. */
export const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** RFC 3986: only `A–Z a–z 0–9 - _ . ~` stay as they are; everything else becomes upper-case `%XY` UTF-8 octets. */
export const percentEncode = (value: string): string => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A digest as bare lower-case hex, however a vendor writes it (with or without `sha256:`). */
export const bareDigest = (digest: string): string =>
  digest
    .trim()
    .replace(/^sha256:/i, '')
    .toLowerCase();
