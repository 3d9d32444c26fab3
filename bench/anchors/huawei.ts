import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { SwrClient } from '@huaweicloud/huaweicloud-sdk-swr';
import { type AnchorRuntime, type AnchorScanner, scannerOfType, sendPoll, sqsAnchor } from './anchor.js';

// Huawei's SWR SDK (3.1.128, the newest on npm) has no method for SWR Enterprise Edition's scan APIs. Its client's
// `hcClient.sendRequest` is what every generated method calls: here with the request such a method would build, signed
// SDK-HMAC-SHA256 by the SDK and checked by the SWR simulator as by APIG.
const ARTIFACT = '/v2/{project_id}/instances/{instance_id}/namespaces/{namespace_name}/repositories/{repository_name}/artifacts/{reference}';

interface HcClient {
  sendRequest(options: object): Promise<unknown>;
}

const clients = new Map<AnchorScanner, HcClient>();
const clientOf = (scanner: AnchorScanner) => {
  let client = clients.get(scanner);
  if (!client) {
    const credential = new BasicCredentials()
      .withAk(scanner.credentials?.ak ?? '')
      .withSk(scanner.credentials?.sk ?? '')
      .withProjectId(scanner.projectId ?? '');
    const swr = SwrClient.newBuilder()
      .withCredential(credential)
      .withEndpoint(scanner.endpoint ?? `https://swr-api.${scanner.region}.myhuaweicloud.com`)
      .build();
    client = (swr as unknown as { hcClient: HcClient }).hcClient;
    clients.set(scanner, client);
  }
  return client;
};

const swr = (rt: AnchorRuntime, method: 'GET' | 'POST', tail: string, image: { namespace: string; repository: string; digest: string }, query = {}) => {
  const scanner = scannerOfType(rt.config, 'swr');
  return clientOf(scanner).sendRequest({
    method,
    url: ARTIFACT + tail,
    contentType: 'application/json',
    queryParams: query,
    pathParams: { instance_id: scanner.instanceId, namespace_name: image.namespace, repository_name: image.repository, reference: image.digest },
    headers: method === 'POST' ? { 'Content-Type': 'application/json' } : {},
    data: {},
  });
};

/** startScan on Huawei's SDK: the scan started (StartManualScanning), the first check queued. */
export const startScan = sqsAnchor('startScan-huawei', async (rt, record, { image }) => {
  await swr(rt, 'POST', '/scan', image);
  await sendPoll(rt, record.body);
});

/** pollStatus on Huawei's SDK: the artifact's scan overview (ShowInstanceArtifact), and while it runs the next check queued. */
export const pollStatus = sqsAnchor('pollStatus-huawei', async (rt, record, { image }) => {
  const artifact = (await swr(rt, 'GET', '', image, { with_scan_overview: true })) as { scan_overview?: unknown };
  if (!artifact) throw new Error('no artifact');
  await sendPoll(rt, record.body);
});
