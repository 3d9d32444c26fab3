import * as z from 'zod';

/** An Alibaba Cloud region id in a scanner's config, e.g. `cn-hangzhou`. */
export const AlibabaRegion = z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/, 'expected a region id such as "cn-hangzhou"');
