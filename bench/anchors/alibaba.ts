import Cs from '@alicloud/cs20151215';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { createAnchor } from './anchor.js';

// Alibaba's generated SDK for Container Registry (@alicloud/cr20181201) is not on the npm registry; Container
// Service's (@alicloud/cs20151215) is the closest one there, built by the same generator on the same OpenAPI core.
// A CommonJS module whose `exports.default` is the client class; imported from ESM, that is `.default` of the module.
const Client = Cs.default;

export const handler = createAnchor('alibaba', (scanner, env) => {
  const config = new $OpenApiUtil.Config({
    accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    regionId: scanner.region,
    endpoint: scanner.endpoint ? new URL(scanner.endpoint).host : `cs.${scanner.region}.aliyuncs.com`,
  });
  return new Client(config);
});
