import Cs from '@alicloud/cs20151215';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { type AnchorRuntime, type AnchorScanner, scannerOfType, sendPoll, sqsAnchor } from './anchor.js';

// Alibaba's generated SDK for Container Registry (@alicloud/cr20181201) is not on the npm registry; Container
// Service's (@alicloud/cs20151215) is the closest one there, built by the same generator on the same OpenAPI core.
// Its client's `callApi` is what every generated method calls: here with ACR EE's actions (API version 2018-12-01),
// signed ACS3-HMAC-SHA256 by the SDK and checked by the ACR simulator as by the real API.
// A CommonJS module whose `exports.default` is the client class; imported from ESM, that is `.default` of the module.
const Client = Cs.default;

const clients = new Map<AnchorScanner, InstanceType<typeof Client>>();
const clientOf = (scanner: AnchorScanner, env: NodeJS.ProcessEnv) => {
  let client = clients.get(scanner);
  if (!client) {
    const endpoint = scanner.endpoint ? new URL(scanner.endpoint) : undefined;
    client = new Client(
      new $OpenApiUtil.Config({
        accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID,
        accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
        regionId: scanner.region,
        endpoint: endpoint?.host ?? `cr.${scanner.region}.aliyuncs.com`,
        protocol: endpoint?.protocol === 'http:' ? 'HTTP' : 'HTTPS',
      }),
    );
    clients.set(scanner, client);
  }
  return client;
};

/** One ACR EE action (RPC style, parameters in the query), as a generated method would call it. */
const acr = async (rt: AnchorRuntime, action: string, query: Record<string, string>) => {
  const scanner = scannerOfType(rt.config, 'acr');
  const params = new $OpenApiUtil.Params({
    action,
    version: '2018-12-01',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const res = await clientOf(scanner, rt.env).callApi(
    params,
    new $OpenApiUtil.OpenApiRequest({ query: { InstanceId: scanner.instanceId, ...query } }),
    new RuntimeOptions({}),
  );
  return res.body as Record<string, string>;
};

/** startScan on Alibaba's SDK: the repository's id, the scan started (GetRepository, CreateRepoTagScanTask), the first check queued. */
export const startScan = sqsAnchor('startScan-alibaba', async (rt, record, { image }) => {
  const repo = await acr(rt, 'GetRepository', { RepoNamespaceName: image.namespace, RepoName: image.repository });
  await acr(rt, 'CreateRepoTagScanTask', { RepoId: repo.RepoId ?? '', Tag: image.tag, Digest: image.digest });
  await sendPoll(rt, record.body);
});

/** pollStatus on Alibaba's SDK: the scan's status (GetRepoTagScanStatus), and while it runs the next check queued. */
export const pollStatus = sqsAnchor('pollStatus-alibaba', async (rt, record, job) => {
  const repo = (job as { scan?: { handle?: { repoId?: string } } }).scan?.handle?.repoId ?? '';
  const status = await acr(rt, 'GetRepoTagScanStatus', { RepoId: repo, Tag: job.image.tag });
  if (status.Status !== 'SCANNING' && status.Status !== 'RETRYING') throw new Error(`the scan is ${status.Status}`);
  await sendPoll(rt, record.body);
});
