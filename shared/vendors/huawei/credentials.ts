import { CallError } from '../../http/callError.js';
import type { HuaweiAkSk } from './signer.js';

/** How a Huawei scanner authenticates: APIG AK/SK signing (the default) or an IAM user token (https://support.huaweicloud.com/en-us/api-iam/iam_30_0001.html). */
export type HuaweiAuthMode = 'aksk' | 'token';

/** An IAM user's password login; `domain` is the account name. */
export interface IamPassword {
  user: string;
  password: string;
  domain: string;
}

export type HuaweiCredentials = { mode: 'aksk'; keys: HuaweiAkSk } | { mode: 'token'; login: IamPassword };

const AKSK_VARS = 'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK';
const IAM_VARS = 'HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD and HUAWEICLOUD_IAM_DOMAIN';

const missing = (what: string) => new CallError({ kind: 'auth', code: 'MissingCredentials', message: `Huawei Cloud credentials missing: set ${what}` });

const akSk = (env: NodeJS.ProcessEnv): HuaweiAkSk | undefined => {
  const accessKey = env.HUAWEICLOUD_SDK_AK;
  const secretKey = env.HUAWEICLOUD_SDK_SK;
  if (!accessKey || !secretKey) return undefined;
  const securityToken = env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
  return { accessKey, secretKey, ...(securityToken ? { securityToken } : {}) };
};

const iamPassword = (env: NodeJS.ProcessEnv): IamPassword | undefined => {
  const { HUAWEICLOUD_IAM_USER: user, HUAWEICLOUD_IAM_PASSWORD: password, HUAWEICLOUD_IAM_DOMAIN: domain } = env;
  return user && password && domain ? { user, password, domain } : undefined;
};

/**
 * The credentials a call uses, read afresh each time (rotated temporary keys are picked up). A scanner's `auth`
 * option picks the mode; without it AK/SK is used when both keys are set, else an IAM token when the IAM user
 * variables are, else the call fails naming the variables to set.
 */
export const huaweiCredentialsFromEnv = (env: NodeJS.ProcessEnv, mode?: HuaweiAuthMode): HuaweiCredentials => {
  if (mode !== 'token') {
    const keys = akSk(env);
    if (keys) return { mode: 'aksk', keys };
    if (mode === 'aksk') throw missing(`${AKSK_VARS} (the scanner's "auth" is "aksk")`);
  }
  const login = iamPassword(env);
  if (login) return { mode: 'token', login };
  throw missing(mode === 'token' ? `${IAM_VARS} (the scanner's "auth" is "token")` : `${AKSK_VARS}, or ${IAM_VARS} for IAM token auth`);
};
