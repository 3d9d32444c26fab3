import { describe, expect, it } from 'vitest';
import { encodeKnown, knownCount, knownFindings } from '../../../shared/report/knownFindings.js';

const findings = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `CVE-2030-${100_000 + from + i}`, package: `pkg-${(from + i) % 97}` }));

describe('known findings: the identities a re-scan job carries', () => {
  it('tells the findings of the last scan from new ones, by advisory id and package, ignoring case', () => {
    const isKnown = knownFindings(encodeKnown(findings(50)));
    expect(findings(50).every(isKnown)).toBe(true);
    expect(findings(50, 50).some(isKnown)).toBe(false);
    expect(isKnown({ id: 'cve-2030-100000', package: 'PKG-0' })).toBe(true);
    expect(isKnown({ id: 'CVE-2030-100000', package: 'pkg-1' })).toBe(false);
  });

  it('counts each identity once', () => {
    const encoded = encodeKnown([...findings(10), ...findings(10)]);
    expect(knownCount(encoded)).toBe(10);
    expect(encodeKnown([])).toBe('');
    expect(knownFindings('')({ id: 'CVE-1', package: 'a' })).toBe(false);
  });

  it('carries 10 000 findings in well under SQS 256 KiB message limit', () => {
    const encoded = encodeKnown(findings(10_000));
    expect(encoded.length).toBe(80_000);
    expect(Buffer.byteLength(encoded)).toBeLessThan(256 * 1024 - 16 * 1024);
    const isKnown = knownFindings(encoded);
    expect(findings(10_000).every(isKnown)).toBe(true);
    expect(findings(10_000, 10_000).filter(isKnown)).toHaveLength(0);
  });
});
