import * as z from 'zod/mini';
import { createHuaweiClient, huaweiEndpoint } from '../vendors/huawei/client.js';
import { type HuaweiCredentials, huaweiCredentialsFromEnv } from '../vendors/huawei/credentials.js';
import type { ScannerContext } from './scanner.js';

/** Fields every Huawei Cloud scanner entry has. */
export const huaweiScannerFields = {
  region: z.string().check(z.regex(/^[a-z]+(-[a-z0-9]+)+$/, 'expected a region id such as "cn-north-4"')),
  /** The project of that region (IAM → My Credentials → Projects). */
  projectId: z.string().check(z.regex(/^[0-9a-zA-Z_-]{1,64}$/, 'expected a project id such as "0b5b0ec1b2f3…"')),
  /** Overrides the service's regional endpoint. */
  endpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /** `aksk` (APIG signature, HUAWEICLOUD_SDK_*) or `token` (IAM user, HUAWEICLOUD_IAM_*); default: whichever is set, AK/SK first. */
  auth: z.optional(z.enum(['aksk', 'token'])),
  /** Overrides `https://iam.{region}.myhuaweicloud.com` for token auth. */
  iamEndpoint: z.optional(z.url({ protocol: /^https?$/ })),
  /**
   * The scanner's own credentials (`ssm:` references resolved like any config string): an AK/SK pair, or an IAM
   * user's password login for token auth. Without them the scanner reads the HUAWEICLOUD_* environment variables.
   */
  credentials: z.optional(
    z.union([
      z.strictObject({
        ak: z.string().check(z.minLength(1)),
        sk: z.string().check(z.minLength(1)),
        securityToken: z.optional(z.string().check(z.minLength(1))),
      }),
      z.strictObject({ user: z.string().check(z.minLength(1)), password: z.string().check(z.minLength(1)), domain: z.string().check(z.minLength(1)) }),
    ]),
  ),
};

type HuaweiCredentialsConfig = NonNullable<z.infer<typeof huaweiScannerFields.credentials>>;

const fromConfig = (c: HuaweiCredentialsConfig): HuaweiCredentials =>
  'ak' in c
    ? { mode: 'aksk', keys: { accessKey: c.ak, secretKey: c.sk, ...(c.securityToken ? { securityToken: c.securityToken } : {}) } }
    : { mode: 'token', login: { user: c.user, password: c.password, domain: c.domain } };

interface HuaweiScannerConfig {
  region: string;
  projectId: string;
  auth?: 'aksk' | 'token' | undefined;
  iamEndpoint?: string | undefined;
  credentials?: HuaweiCredentialsConfig | undefined;
}

export const createHuaweiScannerClient = (config: HuaweiScannerConfig, ctx: ScannerContext, endpoint: string, headers?: Record<string, string>) =>
  createHuaweiClient({
    http: ctx.http,
    endpoint,
    projectId: config.projectId,
    credentials: () => (config.credentials ? fromConfig(config.credentials) : huaweiCredentialsFromEnv(ctx.env, config.auth)),
    iamEndpoint: config.iamEndpoint ?? huaweiEndpoint('iam', config.region),
    retry: ctx.retry,
    ...(headers ? { headers } : {}),
    onRetry: (operation, err, attempt, delay) => ctx.onRetry(operation, err.code, attempt, delay),
  });

/** The service's console page in the region (page layout unconfirmed; Chinese-mainland regions use the Chinese console). */
export const huaweiConsoleUrl = (service: string, region: string): string =>
  `https://${region.startsWith('cn-') ? 'console' : 'console-intl'}.huaweicloud.com/${service}/?region=${region}`;
