import { type Locale, type Texts, texts } from './i18n.js';
import { changeLine, countsLine, type Notice, type NoticeFinding, type NoticeItem } from './notice.js';

/**
 * The lines every chat message is made of, written once and spelled in each target's markup dialect. A dialect
 * makes scanner-supplied text (package names, vendor messages) inert: it cannot format, link or mention.
 */
export interface Markup {
  /** Plain text, made safe to show as it is. */
  text(raw: string): string;
  bold(escaped: string): string;
  italic(escaped: string): string;
  /** A package or version: a code span where the dialect has one. */
  code(raw: string): string;
  link(escapedLabel: string, url: string): string;
}

const backslashed = (chars: RegExp) => (s: string) => s.replace(chars, '\\$&');

/** Angle brackets, which open tags and mentions (`<font>`, `<at>`, `<@user>`), become look-alikes. */
const neutraliseTags = (s: string) => s.replace(/</g, '‹').replace(/>/g, '›');
/** Square brackets, which open markdown links, become full-width look-alikes. */
export const neutraliseLinks = (s: string) => s.replace(/\[/g, '［').replace(/]/g, '］');
/** For markdown without a documented escape (DingTalk, WeCom): no tag, mention or link can be written. */
export const lookAlikes = (s: string) => neutraliseLinks(neutraliseTags(s));

/** Inside a code span nothing is formatted, but a backtick would end it and a tag may still be read. */
const codeSpan = (s: string) => (s ? `\`${neutraliseTags(s).replace(/`/g, 'ˋ')}\`` : s);
/** Markdown link targets may not hold spaces or parentheses. */
const mdUrl = (url: string) => url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

export const markdown = (opts: { escape: (raw: string) => string; codeSpans: boolean }): Markup => ({
  text: opts.escape,
  bold: (s) => `**${s}**`,
  italic: (s) => `*${s}*`,
  code: opts.codeSpans ? codeSpan : opts.escape,
  link: (label, url) => `[${label}](${mdUrl(url)})`,
});

/** CommonMark backslash escapes, as Discord reads them (Teams' TextBlock markdown: assumed, unconfirmed). */
export const escapeMarkdown = backslashed(/[\\`*_~|<>[\]]/g);

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Google Chat's text: a small HTML subset. */
export const chatHtml: Markup = {
  text: htmlEscape,
  bold: (s) => `<b>${s}</b>`,
  italic: (s) => `<i>${s}</i>`,
  code: htmlEscape,
  link: (label, url) => `<a href="${htmlEscape(url)}">${label}</a>`,
};

/** Slack mrkdwn: only &, < and > need escaping. */
export const slackMrkdwn: Markup = {
  text: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  bold: (s) => `*${s}*`,
  italic: (s) => `_${s}_`,
  code: (s) => (s ? `\`${slackMrkdwn.text(s).replace(/`/g, 'ˋ')}\`` : s),
  link: (label, url) => `<${url.replace(/[|<>]/g, encodeURIComponent)}|${label}>`,
};

/** `• High CVE-2024-1 openssl 3.0.1 → 3.0.2`, or the fix command when no fixed version is known; a new one marked. */
const findingLine = (f: NoticeFinding, t: Texts, m: Markup): string => {
  const id = f.link ? m.link(m.text(f.id), f.link) : m.text(f.id);
  const installed = f.installedVersion ? `${m.code(f.installedVersion)} ` : '';
  const fix = f.fixedVersion
    ? `${installed}→ ${m.code(f.fixedVersion)}`
    : f.fixCommand
      ? `${installed}· ${m.text(t.fix)}: ${m.code(f.fixCommand)}`
      : f.installedVersion
        ? `${installed}→ ${m.text(t.noFix)}`
        : '';
  return `• ${f.isNew ? `${m.italic(m.text(t.newMark))} ` : ''}${m.bold(m.text(t.severity[f.severity]))} ${id} ${m.code(f.package)}${fix ? ` ${fix}` : ''}`;
};

/** One result of a summary: emoji, image, headline, link. */
const itemLine = (item: NoticeItem, t: Texts, m: Markup): string =>
  `${item.emoji} ${m.bold(m.text(item.image))} — ${m.text(item.headline)}${item.consoleUrl ? ` · ${m.link(m.text(t.openReport), item.consoleUrl)}` : ''}`;

const moreLine = (hidden: number, t: Texts, m: Markup): string => m.italic(m.text(t.more(hidden)));

/** The lines of a notice's list (findings, or a summary's results) with `shown` entries and "+N more". */
export const listLines = (n: Notice, t: Texts, m: Markup, shown: number, hidden: number): string[] => [
  ...(n.kind === 'summary' ? (n.items ?? []).slice(0, shown).map((i) => itemLine(i, t, m)) : n.findings.slice(0, shown).map((f) => findingLine(f, t, m))),
  ...(hidden > 0 ? [moreLine(hidden, t, m)] : []),
];

/** `Critical 0 · High 2 · … · fixable 2`, when the notice has counts. */
export const countsText = (n: Notice, locale: Locale): string | undefined =>
  n.counts ? `${countsLine(n.counts, locale)}${n.fixable !== undefined ? ` · ${texts(locale).fixable(n.fixable)}` : ''}` : undefined;

/** What changed since the baseline, then the notes (no baseline, ignored, expired, without a fix): one line each, as plain text. */
export const changeText = (n: Notice, locale: Locale): string[] => [...(n.change ? [changeLine(n.change, locale)] : []), ...(n.notes ?? [])];

export interface Fact {
  label: string;
  value: string;
  /** A digest: shown as code where the dialect has it. */
  code?: boolean;
}

/**
 * The facts under a result's headline: tags, digest, scanner, duration (and the image, for a target whose title
 * may cut it short). A summary has only its scanners.
 */
export const facts = (n: Notice, t: Texts, opts: { image?: boolean } = {}): Fact[] =>
  n.kind === 'summary'
    ? [{ label: t.scanner, value: n.scanner }]
    : [
        ...(opts.image ? [{ label: t.image, value: n.image }] : []),
        ...(n.tags?.length ? [{ label: t.tags, value: n.tags.join(t.listSeparator) }] : []),
        { label: t.digest, value: n.shortDigest, code: true },
        ...(n.since ? [{ label: t.since, value: n.since }] : []),
        { label: t.scanner, value: n.scanner },
        ...(n.duration ? [{ label: t.scanTook, value: n.duration }] : []),
      ];

export interface TextLayout {
  /** Between lines: `\n`, or `\n\n` where a single line break is not kept. */
  lineBreak: string;
  /** A first line with emoji and image, for targets without a card title. */
  heading?: (escaped: string) => string;
  /** How the headline stands out (bold by default; a target may colour it by verdict). */
  headline?: (escaped: string) => string;
  /** Facts inline as `Label: value`, for targets without a fact list. */
  facts?: boolean;
  /** The report link as a line, for targets without a button. */
  link?: boolean;
}

/** A whole notice as one markdown text, with `shown` list entries and "+N more". */
export const noticeText = (n: Notice, locale: Locale, m: Markup, layout: TextLayout, shown: number, hidden: number): string => {
  const t = texts(locale);
  const counts = countsText(n, locale);
  return [
    ...(layout.heading ? [layout.heading(m.text(`${n.emoji} ${n.image}`))] : []),
    (layout.headline ?? m.bold)(m.text(n.headline)),
    ...(layout.facts ? facts(n, t).map((f) => `${m.bold(m.text(f.label))}: ${f.code ? m.code(f.value) : m.text(f.value)}`) : []),
    ...(counts ? [m.text(counts)] : []),
    ...changeText(n, locale).map((line) => m.text(line)),
    ...listLines(n, t, m, shown, hidden),
    ...(n.advice ? [m.italic(m.text(n.advice))] : []),
    ...(layout.link && n.consoleUrl ? [m.link(m.text(t.openReport), n.consoleUrl)] : []),
  ].join(layout.lineBreak);
};
