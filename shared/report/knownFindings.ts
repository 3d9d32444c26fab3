import { createHash } from 'node:crypto';
import { type Finding, findingKey } from './report.js';

/**
 * The identities (advisory id + package) of an image's findings at its last scan, as a re-scan job carries them: each
 * hashed to 6 bytes (SHA-256's first 48 bits), sorted, deduplicated, base64. 10 000 findings take 80 000 characters,
 * within SQS's 256 KiB message. The hashes are random bytes: compressing them saves nothing, so they are not.
 * A new finding is taken for a known one only when its hash matches one of the n known: about n / 2^48 (4·10⁻¹¹ for
 * 10 000).
 */
const HASH_BYTES = 6;

const hashOf = (f: Pick<Finding, 'id' | 'package'>): Buffer => createHash('sha256').update(findingKey(f), 'utf8').digest().subarray(0, HASH_BYTES);

/** The findings' identities, encoded. */
export const encodeKnown = (findings: readonly Pick<Finding, 'id' | 'package'>[]): string => {
  const hashes = [...new Set(findings.map((f) => hashOf(f).toString('hex')))].sort();
  return Buffer.from(hashes.join(''), 'hex').toString('base64');
};

/** How many identities an encoded set holds. */
export const knownCount = (encoded: string): number => Buffer.from(encoded, 'base64').length / HASH_BYTES;

/** A test of whether a finding was among the encoded ones. */
export const knownFindings = (encoded: string): ((f: Pick<Finding, 'id' | 'package'>) => boolean) => {
  const bytes = Buffer.from(encoded, 'base64');
  const set = new Set<string>();
  for (let i = 0; i + HASH_BYTES <= bytes.length; i += HASH_BYTES) set.add(bytes.subarray(i, i + HASH_BYTES).toString('hex'));
  return (f) => set.has(hashOf(f).toString('hex'));
};
