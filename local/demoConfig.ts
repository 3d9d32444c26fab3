import type { SimulatorUrls } from './stack.js';

export const DEMO_SECRET = 'local-demo-secret-change-me';

/**
 * The config `npm start` uses when SCANHOOK_CONFIG is not set, against the simulators: namespaces `sas-*` are
 * scanned by Security Center, every other by ACR's own scanner.
 */
export const demoConfig = ({ acrUrl, sasUrl, chatUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: DEMO_SECRET } },
  scanners: {
    'acr-demo': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-demo0000000000', endpoint: acrUrl },
    'sas-demo': { type: 'sas', region: 'cn-hangzhou', registryType: 'acr', instanceId: 'cri-demo0000000000', endpoint: sasUrl },
  },
  channels: {
    'team-slack': { type: 'slack', url: `${chatUrl}/slack/T000/B000/demo-token` },
    audit: { type: 'webhook', url: `${chatUrl}/webhook/audit` },
  },
  routes: [
    { source: 'acr', namespace: 'sas-*', repository: '*', tag: '*', scanner: 'sas-demo', channels: ['team-slack', 'audit'] },
    { source: 'acr', namespace: '*', repository: '*', tag: '*', scanner: 'acr-demo', channels: ['team-slack', 'audit'] },
  ],
  polling: { initialDelaySeconds: 1, maxDelaySeconds: 2, deadlineMinutes: 2 },
  http: { timeoutMs: 5000, attempts: 4, baseDelayMs: 200, maxDelayMs: 2000 },
});
