import { harborStyleConfig } from './harbor.js';
import { CLOUD_EVENTS_TYPE, parseHarborWebhook } from './harborPayload.js';
import { headerSecret } from './headerSecret.js';
import { defineSource } from './source.js';

/**
 * Huawei Cloud SWR Enterprise Edition triggers. SWR EE is Harbor-based and its payload is expected to be Harbor's
 * (unconfirmed, https://support.huaweicloud.com/intl/en-us/usermanual2-swr/swr_02_0434.html). Its documented trigger event is PUSH_ARTIFACT only; scan results are parsed
 * should it send them. Its console is not derivable from the payload, so messages carry no console link.
 */
export const swrSource = defineSource({
  type: 'swr',
  label: 'Huawei Cloud SWR EE',
  configSchema: harborStyleConfig('swr'),
  contentTypes: [CLOUD_EVENTS_TYPE],
  scanResults: true,
  presentedSecret: (req, config) => headerSecret(req.headers, config.header),
  parse: (req, sourceKey, config) => parseHarborWebhook(req, sourceKey, config.region ? { region: config.region } : {}),
});
