import { HUAWEI_SIM_PROJECT } from './simulators/huaweiApig.js';

/** Where the simulators listen, for a config document built around them. */
export interface SimulatorUrls {
  acrUrl: string;
  sasUrl: string;
  chatUrl: string;
  swrUrl: string;
  hssUrl: string;
  iamUrl: string;
}

export const DEMO_SECRET = 'local-demo-secret-change-me';
/** The demo DingTalk robot signs with this secret and wants this keyword; the chat sink knows both. */
/** The demo registry's image from before this run: `npm run sweep` re-scans it (an `*aging*` repository of the ACR simulator). */
export const DEMO_AGING = { repository: 'team-a/reports-aging', tag: '3.0.0', digest: `sha256:${'a8'.repeat(32)}` };

export const DEMO_DINGTALK = { token: 'demo-dingtalk-token', secret: 'SECdemo-dingtalk-signing-secret', keyword: 'scanhook' };

/**
 * The config `npm start` uses when SCANHOOK_CONFIG is not set, against the simulators. ACR pushes are scanned by
 * ACR's own scanner, except namespaces `sas-*` (Security Center), `swr-*` (SWR Enterprise Edition's scanner) and
 * `hss-*` (HSS); SWR EE pushes by SWR EE's scanner; Harbor pushes by Security Center, and Harbor's own scan
 * results go straight to the channels. ACR EE events (`acr-events`): pushes to `team-*` are scanned by ACR's own
 * scanner and checked at once when ACR says the scan ended; namespaces `autoscan-*` stand for an instance that scans
 * on push, whose results are read and sent. Every route compares a scan with the repository's previous tag;
 * `team-a/shop-delta` (events/acr/push-delta-*.json) holds different findings per push and accepts one risk, and
 * namespaces `quiet-*` post only what is new.
 */
export const demoConfig = ({ acrUrl, sasUrl, chatUrl, swrUrl, hssUrl, iamUrl }: SimulatorUrls) => ({
  sources: {
    acr: { secret: DEMO_SECRET },
    harbor: { type: 'harbor', secret: DEMO_SECRET },
    swr: { type: 'swr', secret: DEMO_SECRET, region: 'cn-north-4' },
    'acr-events': { secret: DEMO_SECRET, scanner: 'acr-demo' },
  },
  scanners: {
    'acr-demo': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-demo0000000000', endpoint: acrUrl },
    'sas-demo': { type: 'sas', region: 'cn-hangzhou', registryType: 'acr', instanceId: 'cri-demo0000000000', endpoint: sasUrl, acrEndpoint: acrUrl },
    'swr-demo': { type: 'swr', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, instanceId: 'swr-ee-demo-0001', endpoint: swrUrl, iamEndpoint: iamUrl },
    'sas-harbor': { type: 'sas', region: 'cn-hangzhou', registryType: 'harbor', endpoint: sasUrl },
    'hss-demo': { type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, imageType: 'private_image', endpoint: hssUrl, iamEndpoint: iamUrl },
  },
  channels: {
    'team-slack': { type: 'slack', url: `${chatUrl}/slack/T000/B000/demo-token` },
    audit: { type: 'webhook', url: `${chatUrl}/webhook/audit` },
    'team-feishu': { type: 'feishu', url: `${chatUrl}/feishu/open-apis/bot/v2/hook/demo-hook`, locale: 'zh-CN' },
    'team-dingtalk': {
      type: 'dingtalk',
      url: `${chatUrl}/dingtalk/robot/send?access_token=${DEMO_DINGTALK.token}`,
      secret: DEMO_DINGTALK.secret,
      keyword: DEMO_DINGTALK.keyword,
      locale: 'zh-CN',
    },
  },
  routes: [
    {
      source: 'acr',
      namespace: 'team-a',
      repository: 'shop-delta',
      scanner: 'acr-demo',
      channels: ['team-slack', 'team-feishu', 'audit'],
      ignore: [{ id: 'CVE-2024-3002', package: 'zlib', until: '2099-12-31', reason: 'demo: the zlib API with the flaw is never called' }],
    },
    { source: 'acr', namespace: 'quiet-*', scanner: 'acr-demo', channels: ['team-slack', 'audit'], notify: 'changes', minSeverity: 'medium' },
    { source: 'acr', namespace: 'sas-*', repository: '*', tag: '*', scanner: 'sas-demo', channels: ['team-slack', 'audit'] },
    { source: 'acr', namespace: 'swr-*', scanner: 'swr-demo', channels: ['team-slack', 'audit'] },
    { source: 'acr', namespace: 'hss-*', scanner: 'hss-demo', channels: ['team-feishu', 'team-dingtalk', 'audit'] },
    { source: 'acr', namespace: '*', repository: '*', tag: '*', scanner: 'acr-demo', channels: ['team-slack', 'audit'], watch: { tagsPerRepository: 1 } },
    { source: 'swr', scanner: 'swr-demo', channels: ['team-feishu', 'team-dingtalk', 'audit'] },
    { source: 'harbor', scanner: 'sas-harbor', channels: ['team-slack', 'audit'] },
    { source: 'harbor', scanner: 'registry', channels: ['team-slack', 'audit'] },
    { source: 'acr-events', namespace: 'team-*', scanner: 'acr-demo', channels: ['team-slack', 'audit'] },
    { source: 'acr-events', namespace: 'autoscan-*', scanner: 'registry', channels: ['team-slack', 'audit'] },
  ],
  polling: { initialDelaySeconds: 1, maxDelaySeconds: 2, deadlineMinutes: 2 },
  // npm run sweep starts one now.
  watch: { schedule: 'rate(1 day)' },
  http: { timeoutMs: 5000, attempts: 4, baseDelayMs: 200, maxDelayMs: 6000 },
});
