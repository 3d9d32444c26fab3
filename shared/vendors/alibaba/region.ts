import * as z from 'zod/mini';

/** An Alibaba Cloud region id in a scanner's config, e.g. `cn-hangzhou`. */
export const AlibabaRegion = z.string().check(z.regex(/^[a-z]+(-[a-z0-9]+)+$/, 'expected a region id such as "cn-hangzhou"'));
