import type { Notice, NoticeFinding, NoticeItem } from './notice.js';

/**
 * Every target has a size limit and no message may fail for size: each free-text field is first cut to a byte cap
 * (`clipNotice`), then a target shows as many finding (or summary) lines as its limit allows and counts the rest
 * in "+N more" (`fitNotice`).
 */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The body's size as the targets that count bytes see it. */
export const jsonBytes = (body: unknown): number => utf8Bytes(JSON.stringify(body));

const ELLIPSIS = '…';

/** Line breaks and other control characters would break a message's layout: one line, spaces instead. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');

/** `text` cut at a character boundary to at most `maxBytes` UTF-8 bytes (so also at most that many UTF-16 units), "…" marking a cut. */
export const clip = (text: string, maxBytes: number): string => {
  if (utf8Bytes(text) <= maxBytes) return text;
  let out = '';
  let used = utf8Bytes(ELLIPSIS);
  for (const ch of text) {
    const n = utf8Bytes(ch);
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out + ELLIPSIS;
};

/** An http(s) URL short enough to keep whole, else nothing: a cut URL leads nowhere, another scheme may do harm. */
export const safeUrl = (url: string | undefined, maxBytes = CAPS.url): string | undefined => {
  if (!url || utf8Bytes(url) > maxBytes) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
};

/** Byte caps per field: together they keep the fixed part of a message well inside the smallest target (WeCom, 4096 bytes). */
const CAPS = {
  image: 300,
  tag: 128,
  tags: 400,
  scanner: 200,
  headline: 600,
  advice: 600,
  short: 60,
  id: 100,
  package: 300,
  version: 100,
  fixCommand: 120, // a command is a hint: its start says enough, and long ones crowd findings out
  url: 1000,
  since: 200,
  note: 320,
} as const;

/** Notes a message shows at most: a baseline note, ignored, expired, without a fix. */
const MAX_NOTES = 4;

const field = (text: string, cap: number) => clip(oneLine(text), cap);

const clipTags = (tags: string[]): string[] => {
  const out: string[] = [];
  let used = 0;
  for (const tag of tags) {
    const t = field(tag, CAPS.tag);
    if (used + utf8Bytes(t) + 2 > CAPS.tags) return [...out, ELLIPSIS];
    out.push(t);
    used += utf8Bytes(t) + 2;
  }
  return out;
};

const clipFinding = (f: NoticeFinding): NoticeFinding => {
  const link = safeUrl(f.link);
  return {
    ...(f.isNew ? { isNew: true } : {}),
    id: field(f.id, CAPS.id),
    severity: f.severity,
    package: field(f.package, CAPS.package),
    ...(f.installedVersion !== undefined ? { installedVersion: field(f.installedVersion, CAPS.version) } : {}),
    ...(f.fixedVersion ? { fixedVersion: field(f.fixedVersion, CAPS.version) } : {}),
    ...(f.fixCommand ? { fixCommand: field(f.fixCommand, CAPS.fixCommand) } : {}),
    ...(link ? { link } : {}),
  };
};

const clipItem = (item: NoticeItem): NoticeItem => {
  const consoleUrl = safeUrl(item.consoleUrl);
  return {
    image: field(item.image, CAPS.image),
    emoji: field(item.emoji, CAPS.short),
    headline: field(item.headline, CAPS.headline / 2),
    ...(consoleUrl ? { consoleUrl } : {}),
  };
};

/** The notice with every free-text field on one line and within its cap, and only safe links. */
export const clipNotice = (n: Notice): Notice => {
  const consoleUrl = safeUrl(n.consoleUrl);
  const { tags, advice, duration, consoleUrl: _url, items, since, notes, ...rest } = n;
  return {
    ...rest,
    image: field(n.image, CAPS.image),
    ...(tags?.length ? { tags: clipTags(tags) } : {}),
    shortDigest: field(n.shortDigest, CAPS.short),
    scanner: field(n.scanner, CAPS.scanner),
    headline: field(n.headline, CAPS.headline),
    ...(advice ? { advice: field(advice, CAPS.advice) } : {}),
    emoji: field(n.emoji, CAPS.short),
    ...(duration ? { duration: field(duration, CAPS.short) } : {}),
    ...(since ? { since: field(since, CAPS.since) } : {}),
    ...(notes?.length ? { notes: notes.slice(0, MAX_NOTES).map((note) => field(note, CAPS.note)) } : {}),
    findings: n.findings.map(clipFinding),
    ...(consoleUrl ? { consoleUrl } : {}),
    ...(items ? { items: items.map(clipItem) } : {}),
  };
};

/**
 * The message for the longest prefix of a list that still `fits`, the rest counted as hidden. `build(shown, hidden)`
 * renders with the first `shown` entries; a larger `shown` never renders smaller while some stay hidden, so a
 * binary search finds it in a few renders even for 10 000 entries.
 */
export const fitList = <R>(listed: number, total: number, build: (shown: number, hidden: number) => R, fits: (r: R) => boolean): R => {
  const all = build(listed, total - listed);
  if (fits(all)) return all;
  let best = build(0, total);
  let lo = 0;
  let hi = listed - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const candidate = build(mid, total - mid);
    if (fits(candidate)) {
      best = candidate;
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return best;
};

/** `fitList` over a notice's own list: its findings, or a summary's items. */
export const fitNotice = <R>(notice: Notice, build: (shown: number, hidden: number) => R, fits: (r: R) => boolean): R => {
  const listed = notice.kind === 'summary' ? (notice.items?.length ?? 0) : notice.findings.length;
  const total = notice.kind === 'summary' ? listed : Math.max(notice.total ?? 0, listed);
  return fitList(listed, total, build, fits);
};
