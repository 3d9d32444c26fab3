import { CallError } from '../../http/callError.js';
import type { AlibabaCredentials } from './acs3.js';

/** The names Alibaba's own CLI and SDKs read. */
export const alibabaCredentialsFromEnv = (env: NodeJS.ProcessEnv = process.env): AlibabaCredentials => {
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!accessKeyId || !accessKeySecret) {
    throw new CallError({
      kind: 'auth',
      code: 'MissingCredentials',
      message: 'Alibaba Cloud credentials missing: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    });
  }
  const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
};
