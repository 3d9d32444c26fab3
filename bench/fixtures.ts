import { readFileSync } from 'node:fs';
import type { SimulatorUrls } from '../local/demoConfig.js';
import { HUAWEI_SIM_PROJECT } from '../local/simulators/huaweiApig.js';

const base = JSON.parse(readFileSync(new URL('../events/acr/push.json', import.meta.url), 'utf8'));

export const pushEvent = (i: number) => ({
  ...base,
  push_data: { ...base.push_data, digest: `sha256:${i.toString(16).padStart(64, '0')}`, tag: `1.0.${i}` },
});

export const testConfigFor = (acrUrl: string, chatUrl = 'http://127.0.0.1:9') => ({
  sources: { acr: { secret: 'bench-secret-0123456789' } },
  scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrUrl } },
  channels: { sec: { type: 'slack', url: `${chatUrl}/slack/bench` } },
  routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec'] }],
});

/** ACR, Security Center (for ACR images) and HSS entries against the simulators, as the local-mode benches use them. */
export const benchScanners = ({ acrUrl, sasUrl, hssUrl }: Pick<SimulatorUrls, 'acrUrl' | 'sasUrl' | 'hssUrl'>) => ({
  acr: { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrUrl },
  sas: { type: 'sas', region: 'cn-hangzhou', registryType: 'acr', instanceId: 'cri-bench', endpoint: sasUrl, acrEndpoint: acrUrl },
  hss: { type: 'hss', region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, endpoint: hssUrl },
});
