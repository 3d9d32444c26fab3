import type { Locale } from './i18n.js';
import type { ImagePush, NotifyJob } from './messages.js';
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
    headline: (n, worst) => `为遵守该群的发送频率限制，${n} 个结果合并为一条消息${worst ? ` · 最高 ${ZH_SEVERITY[worst]}` : ''}`,
  },
};

/** `team/api:1.4, 1.4.2, latest`: every tag pushed with the digest, so one item stands for all of them. */
const imageWithTags = (image: ImagePush, fallback: string): string => {
  const tags = image.tags?.length ? image.tags : image.tag ? [image.tag] : [];
  return tags.length ? `${image.namespace}/${image.repository}:${tags.join(', ')}` : fallback;
};

/**
 * One notice standing for several results to one channel: each result becomes an item (image, emoji, headline,
 * console link), and the summary takes the worst severity's emoji and colour (a failure's when none has findings).
 */
export const buildSummary = (results: { job: NotifyJob; notice: Notice }[], locale: Locale = 'en'): Notice => {
  const items: NoticeItem[] = results.map(({ job, notice }) => ({
    image: imageWithTags(job.image, notice.image),
    emoji: notice.emoji,
    headline: notice.headline,
    ...(notice.consoleUrl ? { consoleUrl: notice.consoleUrl } : {}),
  }));
  const worst = SEVERITIES.find((s) => results.some(({ notice }) => notice.worst === s));
  const anyFailure = results.some(({ notice }) => notice.kind !== 'complete');
  const text = TEXT[locale];
  return {
    kind: 'summary',
    image: text.image(results.length),
    shortDigest: '',
    scanner: [...new Set(results.map(({ notice }) => notice.scanner))].join(', '),
    headline: text.headline(results.length, worst),
    ...(worst ? { worst } : {}),
    emoji: worst ? SEVERITY_EMOJI[worst] : anyFailure ? '⚠️' : SEVERITY_EMOJI.none,
    colour: worst ? SEVERITY_COLOUR[worst] : anyFailure ? SEVERITY_COLOUR.failure : SEVERITY_COLOUR.none,
    findings: [],
    items,
  };
};
