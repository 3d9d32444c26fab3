import { HUAWEI_SIM_PROJECT } from './simulators/huaweiApig.js';
import type { SimulatorUrls } from './stack.js';

/**
 * The config `npm start` uses when SCANHOOK_CONFIG is not set, against the simulators. ACR pushes are scanned by ACR,
 * except namespaces `swr-*` (SWR Enterprise Edition's scanner) and `hss-*` (HSS): those routes take pushes from the
 * `acr` source until the SWR EE / Harbor webhook sources are in.
 */
export const DEMO_SECRET = 'local-demo-secret-change-me';

export const demoConfig = ({ acrUrl, chatUrl, swrUrl, hssUrl, iamUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: DEMO_SECRET } },
  scanners: {
    'acr-demo': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-demo0000000000', endpoint: acrUrl },
    'swr-demo': { type: 'swr', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, instanceId: 'swr-ee-demo-0001', endpoint: swrUrl, iamEndpoint: iamUrl },
    'hss-demo': { type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, imageType: 'private_image', endpoint: hssUrl, iamEndpoint: iamUrl },
  },
  channels: {
    'team-slack': { type: 'slack', url: `${chatUrl}/slack/T000/B000/demo-token` },
    audit: { type: 'webhook', url: `${chatUrl}/webhook/audit` },
  },
  routes: [
    { source: 'acr', namespace: 'swr-*', scanner: 'swr-demo', channels: ['team-slack', 'audit'] },
    { source: 'acr', namespace: 'hss-*', scanner: 'hss-demo', channels: ['team-slack', 'audit'] },
    { source: 'acr', namespace: '*', repository: '*', tag: '*', scanner: 'acr-demo', channels: ['team-slack', 'audit'] },
  ],
  polling: { initialDelaySeconds: 1, maxDelaySeconds: 2, deadlineMinutes: 2 },
  http: { timeoutMs: 5000, attempts: 4, baseDelayMs: 200, maxDelayMs: 6000 },
});
