/** The languages messages render in: a channel's `locale`, English by default. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
