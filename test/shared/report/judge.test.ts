import { describe, expect, it } from 'vitest';
import { judgeReport, MAX_FINDINGS_READ, type ScannedReport } from '../../../shared/report/judge.js';
import type { IgnoreEntry } from '../../../shared/report/policy.js';
import { emptyCounts, type Finding, type Severity } from '../../../shared/report/report.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const f = (id: string, pkg: string, severity: Severity, more: Partial<Finding> = {}): Finding => ({ id, package: pkg, severity, ...more });
const counts = (over: Partial<Record<Severity, number>>) => ({ ...emptyCounts(), ...over });

/** A scanner's report whose counts are those of `findings`, as the simulators give them. */
const scanned = (findings: Finding[], more: Partial<ScannedReport['report']> = {}): ScannedReport => {
  const c = emptyCounts();
  for (const x of findings) c[x.severity]++;
  return {
    report: { counts: c, total: findings.length, findings: findings.slice(0, 20), consoleUrl: 'https://console.example/x', ...more },
    findings,
    complete: true,
  };
};
const ignore = (id: string, until: string, pkg?: string): IgnoreEntry => ({ id, until, reason: 'accepted', ...(pkg ? { package: pkg } : {}) });
const none = { ignore: [], fixableOnly: false };

const image = [
  f('CVE-1', 'openssl', 'critical', { fixedVersion: '3.0.2' }),
  f('CVE-2', 'zlib', 'high', { fixCommand: 'apk upgrade zlib' }),
  f('CVE-3', 'curl', 'high'),
  f('CVE-4', 'musl', 'medium'),
  f('CVE-5', 'expat', 'low', { fixedVersion: '2.6.3' }),
];

describe('judgeReport: ignore entries', () => {
  it('an active entry leaves its finding out of the counts, the total, the fixable count and the list, and counts it apart', () => {
    const report = judgeReport({ scanned: scanned(image, { fixable: 3 }), policy: { ...none, ignore: [ignore('CVE-2', '2027-03-31')] }, now: NOW });
    expect(report.counts).toEqual(counts({ critical: 1, high: 1, medium: 1, low: 1 }));
    expect(report.total).toBe(4);
    expect(report.fixable).toBe(2);
    expect(report.ignored).toBe(1);
    expect(report.findings.map((x) => x.id)).toEqual(['CVE-1', 'CVE-3', 'CVE-4', 'CVE-5']);
    expect(report.expired).toBeUndefined();
  });

  it('an entry with a package ignores the advisory in that package only; ids and packages match in any case', () => {
    const twoPackages = [f('CVE-7', 'libssl3', 'high'), f('CVE-7', 'libcrypto3', 'high')];
    const report = judgeReport({ scanned: scanned(twoPackages), policy: { ...none, ignore: [ignore('cve-7', '2027-01-01', 'LIBSSL3')] }, now: NOW });
    expect(report.findings.map((x) => x.package)).toEqual(['libcrypto3']);
    expect(report.counts.high).toBe(1);
  });

  it('a date ignores through the end of that day (UTC); past it the entry ignores nothing and is named as expired', () => {
    const entry = ignore('CVE-3', '2026-11-29', 'curl');
    const lastDay = judgeReport({ scanned: scanned(image), policy: { ...none, ignore: [entry] }, now: new Date('2026-11-29T23:59:59Z') });
    expect(lastDay.ignored).toBe(1);
    const after = judgeReport({ scanned: scanned(image), policy: { ...none, ignore: [entry] }, now: new Date('2026-11-30T00:00:00Z') });
    expect(after.ignored).toBeUndefined();
    expect(after.counts.high).toBe(2);
    expect(after.expired).toEqual([{ id: 'CVE-3', package: 'curl', until: '2026-11-29', severity: 'high' }]);
  });

  it('a time with its zone ignores until that instant', () => {
    const entry = ignore('CVE-4', '2026-11-29T20:00:00+08:00');
    expect(judgeReport({ scanned: scanned(image), policy: { ...none, ignore: [entry] }, now: new Date('2026-11-29T11:59:00Z') }).ignored).toBe(1);
    expect(judgeReport({ scanned: scanned(image), policy: { ...none, ignore: [entry] }, now: new Date('2026-11-29T12:00:00Z') }).expired).toHaveLength(1);
  });

  it('an expired entry for a finding the image does not have, or one a renewed entry still covers, is not named', () => {
    const report = judgeReport({
      scanned: scanned(image),
      policy: { ...none, ignore: [ignore('CVE-99', '2020-01-01'), ignore('CVE-1', '2025-01-01'), ignore('CVE-1', '2027-01-01')] },
      now: NOW,
    });
    expect(report.expired).toBeUndefined();
    expect(report.ignored).toBe(1);
  });

  it('a finding listed twice is ignored once', () => {
    const twice = [...image, f('CVE-2', 'zlib', 'high', { installedVersion: 'other path' })];
    const report = judgeReport({ scanned: scanned(twice), policy: { ...none, ignore: [ignore('CVE-2', '2027-01-01')] }, now: NOW });
    expect(report.ignored).toBe(1);
  });
});

describe('judgeReport: fixableOnly', () => {
  it('leaves findings with neither a fixed version nor a fix command out of the verdict and the list, and counts them apart', () => {
    const report = judgeReport({ scanned: scanned(image), policy: { ignore: [], fixableOnly: true }, now: NOW });
    expect(report.counts).toEqual(counts({ critical: 1, high: 1, low: 1 }));
    expect(report.total).toBe(3);
    expect(report.withoutFix).toBe(2);
    expect(report.findings.every((x) => x.fixedVersion || x.fixCommand)).toBe(true);
  });

  it('an ignored finding without a fix counts as ignored, not as without a fix', () => {
    const report = judgeReport({ scanned: scanned(image), policy: { ignore: [ignore('CVE-3', '2027-01-01')], fixableOnly: true }, now: NOW });
    expect(report.ignored).toBe(1);
    expect(report.withoutFix).toBe(1);
    expect(report.total).toBe(3);
  });

  it('leaves the scanner’s report as it is when nothing applies', () => {
    const input = scanned(image, { fixable: 3 });
    const report = judgeReport({ scanned: input, policy: none, now: NOW });
    expect(report).toEqual({ ...input.report, findings: input.report.findings });
  });
});

describe('judgeReport: the comparison', () => {
  const baseline = [f('CVE-1', 'openssl', 'critical'), f('CVE-2', 'zlib', 'high'), f('CVE-8', 'glibc', 'medium'), f('CVE-9', 'pcre2', 'low')];

  it('compares the whole lists, not the 20 carried, and keeps the 20 worst new findings', () => {
    const many = Array.from({ length: 500 }, (_, i) => f(`CVE-${1000 + i}`, 'pkg', i < 30 ? 'high' : 'low'));
    const report = judgeReport({
      scanned: scanned([...image, ...many]),
      baseline: { status: 'compared', image: { tag: '1.0.0', digest: 'sha256:abc' }, findings: [...baseline, ...many.slice(0, 400)], complete: true },
      policy: none,
      now: NOW,
    });
    expect(report.delta).toMatchObject({
      status: 'compared',
      baseline: { tag: '1.0.0', digest: 'sha256:abc' },
      new: counts({ high: 1, medium: 1, low: 101 }),
      fixed: counts({ medium: 1, low: 1 }),
    });
    expect(report.delta?.status === 'compared' && report.delta.newFindings).toHaveLength(20);
    expect(report.delta?.status === 'compared' && report.delta.newFindings.map((x) => x.severity).slice(0, 2)).toEqual(['high', 'medium']);
  });

  it('ignored and fix-less findings are neither new nor fixed', () => {
    const report = judgeReport({
      scanned: scanned(image),
      baseline: { status: 'compared', image: { tag: '1.0.0' }, findings: [f('CVE-9', 'pcre2', 'low')], complete: true },
      policy: { ignore: [ignore('CVE-9', '2027-01-01'), ignore('CVE-1', '2027-01-01')], fixableOnly: true },
      now: NOW,
    });
    expect(report.delta).toMatchObject({ new: counts({ high: 1, low: 1 }), fixed: emptyCounts() });
  });

  it('too many findings to read whole: not compared, and it says why', () => {
    const report = judgeReport({
      scanned: { ...scanned(image), complete: false },
      baseline: { status: 'compared', image: { tag: '1.0.0' }, findings: baseline, complete: true },
      policy: none,
      now: NOW,
    });
    expect(report.delta).toEqual({ status: 'unavailable', reason: `more than ${MAX_FINDINGS_READ} findings in one of the images` });
  });

  it('no baseline, or one that could not be read, passes through with the full report', () => {
    const first = judgeReport({ scanned: scanned(image), baseline: { status: 'none', reason: 'first' }, policy: none, now: NOW });
    expect(first.delta).toEqual({ status: 'none', reason: 'first' });
    expect(first.findings).toHaveLength(5);
    const failed = judgeReport({ scanned: scanned(image), baseline: { status: 'unavailable', reason: 'Throttling.User' }, policy: none, now: NOW });
    expect(failed.delta).toEqual({ status: 'unavailable', reason: 'Throttling.User' });
    expect(failed.counts).toEqual(scanned(image).report.counts);
  });
});
