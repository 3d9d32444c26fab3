import { describe, expect, it } from 'vitest';
import { clip, clipNotice, fitList, fitNotice, oneLine, safeUrl, utf8Bytes } from '../../../shared/channels/fit.js';
import type { Notice } from '../../../shared/channels/notice.js';

const notice: Notice = {
  kind: 'complete',
  image: 'a/b:1',
  shortDigest: '0123456789ab',
  scanner: 's',
  headline: 'h',
  emoji: '🔴',
  colour: '#d32f2f',
  findings: [],
};

/** No lone surrogate (String.prototype.isWellFormed, which this TS lib does not type). */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('clip', () => {
  it('keeps text within the cap in UTF-8 bytes, cut at a character boundary, "…" marking the cut', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 5)).toBe('ab…');
    for (const text of ['中文中文中文', '🚀🚀🚀🚀', '👩‍👩‍👧‍👦x', 'a\ud800b'.repeat(5)]) {
      for (let cap = 3; cap < 30; cap++) {
        const out = clip(text, cap);
        expect(utf8Bytes(out), `${text} ${cap}`).toBeLessThanOrEqual(cap);
        expect(out.length).toBeLessThanOrEqual(cap); // so also in UTF-16 units
        expect(out.endsWith('…') || out === text).toBe(true);
        if (wellFormed(text)) expect(wellFormed(out)).toBe(true); // never half a surrogate pair
      }
    }
  });

  it('oneLine turns line breaks and control characters into spaces', () => {
    expect(oneLine('a\r\nb\u0000c\u2028d')).toBe('a b c d');
  });
});

describe('safeUrl', () => {
  it('keeps http(s) links that fit, drops the rest', () => {
    expect(safeUrl('https://avd.aliyun.com/detail?id=1')).toBe('https://avd.aliyun.com/detail?id=1');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(safeUrl(`https://x.com/${'a'.repeat(2000)}`)).toBeUndefined();
  });
});

describe('clipNotice', () => {
  it('caps every free-text field and keeps only safe links', () => {
    const n = clipNotice({
      ...notice,
      image: 'x'.repeat(5000),
      headline: `a\nb${'y'.repeat(5000)}`,
      tags: Array.from({ length: 100 }, (_, i) => `tag-${i}`),
      consoleUrl: 'javascript:alert(1)',
      findings: [{ id: 'CVE-1', severity: 'high', package: 'p'.repeat(1000), link: 'ftp://x', fixCommand: 'c'.repeat(1000) }],
      items: [{ image: 'i'.repeat(1000), emoji: '🔴', headline: 'h'.repeat(1000), consoleUrl: 'https://ok.example/r' }],
    });
    expect(utf8Bytes(n.image)).toBeLessThanOrEqual(300);
    expect(n.headline.startsWith('a b')).toBe(true);
    expect(utf8Bytes(n.headline)).toBeLessThanOrEqual(600);
    expect(n.tags!.at(-1)).toBe('…');
    expect(n.tags!.join(', ').length).toBeLessThanOrEqual(400);
    expect(n.consoleUrl).toBeUndefined();
    expect(n.findings[0]!.link).toBeUndefined();
    expect(utf8Bytes(n.findings[0]!.package)).toBeLessThanOrEqual(300);
    expect(n.items![0]!.consoleUrl).toBe('https://ok.example/r');
  });
});

describe('fitList', () => {
  const build = (shown: number, hidden: number) => ({ shown, hidden, size: shown * 10 + (hidden ? 8 : 0) });
  it('shows everything when it fits, with nothing hidden', () => {
    expect(fitList(5, 5, build, (r) => r.size <= 50)).toMatchObject({ shown: 5, hidden: 0 });
  });
  it('shows the longest prefix that fits with its "+N more" line', () => {
    expect(fitList(5, 5, build, (r) => r.size <= 49)).toMatchObject({ shown: 4, hidden: 1 });
    expect(fitList(20, 10_000, build, (r) => r.size <= 100)).toMatchObject({ shown: 9, hidden: 9991 });
    expect(fitList(10_000, 10_000, build, (r) => r.size <= 8)).toMatchObject({ shown: 0, hidden: 10_000 });
  });
  it('needs few renders for a long list', () => {
    let renders = 0;
    fitList(
      10_000,
      10_000,
      (s, h) => {
        renders++;
        return build(s, h);
      },
      (r) => r.size <= 50_000,
    );
    expect(renders).toBeLessThanOrEqual(16);
  });
  it('fitNotice fits findings against the report total, and a summary against its items', () => {
    const f = { id: 'x', severity: 'low' as const, package: 'p' };
    expect(
      fitNotice(
        { ...notice, total: 40, findings: [f, f] },
        (s, h) => [s, h],
        () => true,
      ),
    ).toEqual([2, 38]);
    expect(
      fitNotice(
        { ...notice, kind: 'summary', items: [{ image: 'i', emoji: 'e', headline: 'h' }] },
        (s, h) => [s, h],
        () => true,
      ),
    ).toEqual([1, 0]);
  });
});
