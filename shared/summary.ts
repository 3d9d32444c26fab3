import type { Locale } from './i18n.js';
import { type Notice, type NoticeItem, SEVERITY_COLOUR, SEVERITY_EMOJI } from './notice.js';
import { SEVERITIES, type Severity } from './report.js';

const ZH_SEVERITY: Record<Severity, string> = { critical: '严重', high: '高危', medium: '中危', low: '低危', unknown: '未知' };

const TEXT: Record<Locale, { image: (n: number) => string; headline: (n: number, worst?: Severity) => string }> = {
  en: {
    image: (n) => `${n} scan results`,
    headline: (n, worst) => `${n} results in one message, to stay within this chat's rate limit${worst ? ` · worst ${worst}` : ''}`,
  },
  'zh-CN': {
    image: (n) => `${n} 个扫描结果`,
    headline: (n, worst) => `为遵守该群的发送频率限制，${n} 个结果合并为一条消息${worst ? ` · 最高${ZH_SEVERITY[worst]}` : ''}`,
  },
};

/** `team/api:1.4.2, 1.4, latest`: one item stands for every tag pushed with the digest. */
const imageWithTags = (notice: Notice): string =>
  notice.tags && notice.tags.length > 1 ? `${notice.image.slice(0, notice.image.lastIndexOf(':'))}:${notice.tags.join(', ')}` : notice.image;

/**
 * One notice standing for several results to one channel: each result becomes an item (image, emoji, headline,
 * console link); the summary takes the worst severity's emoji and colour (a failure's when none has findings).
 */
export const summaryNotice = (parts: Notice[], locale: Locale = 'en'): Notice => {
  const items: NoticeItem[] = parts.map((p) => ({
    image: imageWithTags(p),
    emoji: p.emoji,
    headline: p.headline,
    ...(p.consoleUrl ? { consoleUrl: p.consoleUrl } : {}),
  }));
  const worst = SEVERITIES.find((s) => parts.some((p) => p.worst === s));
  const anyFailure = parts.some((p) => p.kind !== 'complete');
  const text = TEXT[locale];
  return {
    kind: 'summary',
    image: text.image(parts.length),
    shortDigest: '',
    scanner: [...new Set(parts.map((p) => p.scanner))].join(', '),
    headline: text.headline(parts.length, worst),
    ...(worst ? { worst } : {}),
    emoji: worst ? SEVERITY_EMOJI[worst] : anyFailure ? '⚠️' : SEVERITY_EMOJI.none,
    colour: worst ? SEVERITY_COLOUR[worst] : anyFailure ? SEVERITY_COLOUR.failure : SEVERITY_COLOUR.none,
    findings: [],
    items,
  };
};
