import { describe, expect, it } from 'vitest';
import { compareFindings, uniqueFindings } from '../../../shared/report/delta.js';
import { emptyCounts, type Finding, type Severity } from '../../../shared/report/report.js';

const f = (id: string, pkg: string, severity: Severity, more: Partial<Finding> = {}): Finding => ({ id, package: pkg, severity, ...more });
const counts = (over: Partial<Record<Severity, number>>) => ({ ...emptyCounts(), ...over });

describe('compareFindings: what is new and what is fixed since the baseline', () => {
  it('counts new findings by their severity now and fixed ones by their severity then; kept ones count in neither', () => {
    const baseline = [f('CVE-1', 'openssl', 'high'), f('CVE-2', 'zlib', 'medium'), f('CVE-3', 'curl', 'low'), f('CVE-4', 'glibc', 'critical')];
    const current = [f('CVE-1', 'openssl', 'high'), f('CVE-5', 'expat', 'critical'), f('CVE-6', 'musl', 'medium'), f('CVE-7', 'musl', 'medium')];
    const result = compareFindings(current, baseline);
    expect(result.new).toEqual(counts({ critical: 1, medium: 2 }));
    expect(result.fixed).toEqual(counts({ critical: 1, medium: 1, low: 1 }));
    expect(result.newFindings.map((x) => x.id)).toEqual(['CVE-5', 'CVE-6', 'CVE-7']);
  });

  it('a finding is the advisory id plus the package: the same CVE in another package is new, the same pair is not', () => {
    const result = compareFindings([f('CVE-1', 'libssl3', 'high'), f('cve-1', 'OpenSSL', 'high')], [f('CVE-1', 'openssl', 'high')]);
    expect(result.newFindings.map((x) => x.package)).toEqual(['libssl3']);
    expect(result.fixed).toEqual(emptyCounts());
  });

  it('a finding listed twice (two paths, two versions) is counted once, new or fixed', () => {
    const twice = [f('CVE-9', 'log4j', 'high', { installedVersion: '2.1' }), f('CVE-9', 'log4j', 'high', { installedVersion: '2.2' })];
    expect(compareFindings(twice, []).new).toEqual(counts({ high: 1 }));
    expect(compareFindings([], twice).fixed).toEqual(counts({ high: 1 }));
    expect(compareFindings(twice, twice)).toEqual({ new: emptyCounts(), fixed: emptyCounts(), newFindings: [] });
  });

  it('a severity that changed is neither new nor fixed', () => {
    expect(compareFindings([f('CVE-1', 'a', 'critical')], [f('CVE-1', 'a', 'low')])).toEqual({ new: emptyCounts(), fixed: emptyCounts(), newFindings: [] });
  });

  it('new findings come worst first, fixable first among equals', () => {
    const result = compareFindings([f('CVE-B', 'a', 'low'), f('CVE-A', 'b', 'high'), f('CVE-C', 'c', 'high', { fixedVersion: '2' })], []);
    expect(result.newFindings.map((x) => x.id)).toEqual(['CVE-C', 'CVE-A', 'CVE-B']);
  });
});

describe('uniqueFindings', () => {
  it('keeps one entry per id and package, with the worst severity any listing gave it', () => {
    const unique = uniqueFindings([f('CVE-1', 'a', 'low'), f('CVE-1', 'A', 'high'), f('CVE-2', 'a', 'medium')]);
    expect(unique.map((x) => [x.id, x.severity])).toEqual([
      ['CVE-1', 'high'],
      ['CVE-2', 'medium'],
    ]);
  });
});
