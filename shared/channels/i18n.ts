import * as z from 'zod/mini';
import type { Severity } from '../report/report.js';

/** The languages messages render in: a channel's `locale`, English by default. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const LocaleSchema = z.enum(LOCALES);

/** Every word a chat message shows, in one language. */
export interface Texts {
  severity: Record<Severity, string>;
  found(total: number, worst: string): string;
  clean: string;
  scanFailed(reason: string): string;
  couldNotScan(code: string, reason: string): string;
  timedOut(waited: string): string;
  advice: { failed: string; retryable: string; config: string; timedOut: string; summary: string };
  summary(results: number): string;
  /** A summary's headline: how its results came out. */
  breakdown(counts: { vulnerable: number; clean: number; failed: number }): string;
  duration(hours: number, minutes: number, seconds: number): string;
  image: string;
  tags: string;
  digest: string;
  scanner: string;
  scanTook: string;
  counts: string;
  fixable(n: number): string;
  findings: string;
  noFix: string;
  fix: string;
  more(n: number): string;
  openReport: string;
  listSeparator: string;
  /** The label of the image a report was compared with. */
  since: string;
  /** Added to a compared report's headline. */
  changeHeadline(newCount: number, fixedCount: number): string;
  /** New and fixed counts, each with its per-severity breakdown (empty when zero). */
  changes(newCount: number, newBreakdown: string, fixedCount: number, fixedBreakdown: string): string;
  /** Marks a new finding in the list. */
  newMark: string;
  noBaseline: string;
  baselineMissing(tag: string): string;
  isBaseline(tag: string): string;
  notCompared(reason: string): string;
  /** A registry's own result: counts only, so nothing to compare. */
  countsOnly(registry: string): string;
  ignored(n: number): string;
  expired(entries: string, more: number): string;
  expiredEntry(id: string, pkg: string | undefined, until: string): string;
  withoutFix(n: number): string;
  /** Put before a re-scan's headline: a sweep, not a push, scanned the image. */
  rescan: string;
  /** Added to a re-scan's headline instead of changeHeadline. */
  rescanChange(newCount: number): string;
  /** What a re-scan was compared with: the image's own last scan, when, and when the image was pushed. */
  rescanSince(lastScanned: string | undefined, pushedDaysAgo: number | undefined): string;
}

const en: Texts = {
  severity: { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', unknown: 'Unknown' },
  found: (total, worst) => `${total} vulnerabilit${total === 1 ? 'y' : 'ies'} found, worst ${worst.toLowerCase()}`,
  clean: 'No vulnerabilities found',
  scanFailed: (reason) => `Scan failed: ${reason}`,
  couldNotScan: (code, reason) => `Could not scan: ${code}: ${reason}`,
  timedOut: (waited) => `Scan still unfinished after ${waited}: scanhook stopped waiting`,
  advice: {
    failed: 'The scanner could not scan this image. Check the scan log in the console and push again or rescan there.',
    retryable: 'The scanner API kept failing or throttling; scanhook gave up after its retries. Rescan once it recovers.',
    config: "Check scanhook's credentials, permissions and scanner configuration; nothing will scan until they are fixed.",
    timedOut: 'The scan may still finish: look for its result in the console, or raise polling.deadlineMinutes.',
    summary: "Combined into one message to stay within this chat's rate limit; open each report for details.",
  },
  summary: (n) => `${n} scan result${n === 1 ? '' : 's'}`,
  breakdown: ({ vulnerable, clean, failed }) =>
    [vulnerable && `${vulnerable} with vulnerabilities`, clean && `${clean} clean`, failed && `${failed} not scanned`].filter(Boolean).join(' · '),
  duration: (h, m, s) => (h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`),
  image: 'Image',
  tags: 'Tags',
  digest: 'Digest',
  scanner: 'Scanner',
  scanTook: 'Scan took',
  counts: 'Vulnerabilities',
  fixable: (n) => `fixable ${n}`,
  findings: 'Worst findings',
  noFix: 'no fix yet',
  fix: 'fix',
  more: (n) => `+${n} more`,
  openReport: 'Open scan report',
  listSeparator: ', ',
  since: 'Since',
  changeHeadline: (n, f) => (n === 0 && f === 0 ? ' · nothing new' : ` · ${n} new, ${f} fixed`),
  changes: (n, nb, f, fb) => `New ${n}${nb ? ` (${nb})` : ''} · Fixed ${f}${fb ? ` (${fb})` : ''}`,
  newMark: '🆕 new',
  noBaseline: 'No baseline: the first scanned image of this repository, so the full report follows',
  baselineMissing: (tag) => `No baseline: tag ${tag} has no completed scan, so the full report follows`,
  isBaseline: (tag) => `Not compared: this image is the baseline tag ${tag}`,
  notCompared: (reason) => `Not compared: the baseline could not be read, so the full report follows (${reason})`,
  countsOnly: (registry) => `Not compared: ${registry}'s own scan result carries severity counts only`,
  ignored: (n) => `${n} ignored as accepted risk${n === 1 ? '' : 's'} (not counted)`,
  expired: (entries, more) => `Accepted risk expired, counted again: ${entries}${more > 0 ? ` +${more} more` : ''}`,
  expiredEntry: (id, pkg, until) => `${id}${pkg ? ` in ${pkg}` : ''} (until ${until})`,
  withoutFix: (n) => `+${n} without a fix (not counted)`,
  rescan: 'Re-scan: ',
  rescanChange: (n) => (n === 0 ? ' · nothing new since the last scan' : ` · ${n} new since the last scan`),
  rescanSince: (last, days) =>
    `its last scan (${last ? `on ${last}` : 'date not given by the scanner'}); pushed ${days === undefined ? 'on an unknown date' : days === 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`}`,
};

const zhCN: Texts = {
  severity: { critical: '严重', high: '高危', medium: '中危', low: '低危', unknown: '未知' },
  found: (total, worst) => `发现 ${total} 个漏洞，最高${worst}`,
  clean: '未发现漏洞',
  scanFailed: (reason) => `扫描失败：${reason}`,
  couldNotScan: (code, reason) => `无法扫描：${code}：${reason}`,
  timedOut: (waited) => `扫描 ${waited} 后仍未完成：scanhook 已停止等待`,
  advice: {
    failed: '扫描器未能扫描此镜像。请在控制台查看扫描日志，然后重新推送或在控制台重新扫描。',
    retryable: '扫描器 API 持续出错或限流，scanhook 重试后已放弃。请在其恢复后重新扫描。',
    config: '请检查 scanhook 的凭证、权限和扫描器配置；修复之前不会进行任何扫描。',
    timedOut: '扫描可能仍会完成：请在控制台查看结果，或调大 polling.deadlineMinutes。',
    summary: '为不超出本群的发送频率限制，已合并为一条消息；详情请打开各扫描报告。',
  },
  summary: (n) => `${n} 个扫描结果`,
  breakdown: ({ vulnerable, clean, failed }) =>
    [vulnerable && `${vulnerable} 个有漏洞`, clean && `${clean} 个无漏洞`, failed && `${failed} 个未能扫描`].filter(Boolean).join(' · '),
  duration: (h, m, s) => (h > 0 ? `${h}小时${m}分` : m > 0 ? `${m}分${s}秒` : `${s}秒`),
  image: '镜像',
  tags: '标签',
  digest: '摘要',
  scanner: '扫描器',
  scanTook: '扫描耗时',
  counts: '漏洞',
  fixable: (n) => `可修复 ${n}`,
  findings: '最严重的漏洞',
  noFix: '暂无修复版本',
  fix: '修复',
  more: (n) => `另有 ${n} 个`,
  openReport: '查看扫描报告',
  listSeparator: '、',
  since: '对比基线',
  changeHeadline: (n, f) => (n === 0 && f === 0 ? ' · 无新增' : ` · 新增 ${n}，修复 ${f}`),
  changes: (n, nb, f, fb) => `新增 ${n}${nb ? `（${nb}）` : ''} · 已修复 ${f}${fb ? `（${fb}）` : ''}`,
  newMark: '🆕 新增',
  noBaseline: '无基线：此仓库首个完成扫描的镜像，以下为完整报告',
  baselineMissing: (tag) => `无基线：标签 ${tag} 没有完成的扫描，以下为完整报告`,
  isBaseline: (tag) => `未对比：此镜像即基线标签 ${tag}`,
  notCompared: (reason) => `未对比：无法读取基线，以下为完整报告（${reason}）`,
  countsOnly: (registry) => `未对比：${registry} 自身的扫描结果只有各级别数量`,
  ignored: (n) => `已忽略 ${n} 个已接受的风险（未计入）`,
  expired: (entries, more) => `已接受的风险已过期，重新计入：${entries}${more > 0 ? ` 另有 ${more} 个` : ''}`,
  expiredEntry: (id, pkg, until) => `${id}${pkg ? ` ${pkg}` : ''}（至 ${until}）`,
  withoutFix: (n) => `另有 ${n} 个暂无修复（未计入）`,
  rescan: '定期重新扫描：',
  rescanChange: (n) => (n === 0 ? ' · 与上次扫描相比无新增' : ` · 与上次扫描相比新增 ${n}`),
  rescanSince: (last, days) =>
    `此镜像上次扫描（${last ? `${last}` : '扫描器未提供日期'}）；推送于${days === undefined ? '未知日期' : days === 0 ? '今天' : `${days} 天前`}`,
};

const TEXTS: Record<Locale, Texts> = { en, 'zh-CN': zhCN };

export const texts = (locale: Locale = 'en'): Texts => TEXTS[locale];

/** A channel entry's `locale`, English when it has none. */
export const localeOf = (channel: Record<string, unknown>): Locale => z.catch(LocaleSchema, 'en').parse(channel.locale);
