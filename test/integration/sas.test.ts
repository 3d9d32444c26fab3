import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorUrls } from '../../local/demoConfig.js';
import { acrSimRepoId } from '../../local/simulators/acr.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, eventually, postsFor, postWebhook, startTestStack, testConfig } from '../support/stack.js';

/** Security Center as a route's scanner, through local mode: webhook → queues → the SAS simulator → messages. */
const sasConfig = (sims: SimulatorUrls) => {
  const base = testConfig(sims);
  return {
    ...base,
    scanners: {
      ...base.scanners,
      'sas-hz': {
        type: 'sas',
        region: 'cn-hangzhou',
        registryType: 'acr',
        instanceId: 'cri-test00000000',
        endpoint: sims.sasUrl,
        acrEndpoint: sims.acrUrl,
        busyRetrySeconds: 2,
      },
      // No instance id: GetRepository cannot be asked, so imported images go without repoId.
      'sas-noinst': { type: 'sas', region: 'cn-hangzhou', registryType: 'acr', endpoint: sims.sasUrl, acrEndpoint: sims.acrUrl },
      // One image per task, so every push needs a task of its own: the 10-task limit test.
      'sas-solo': {
        type: 'sas',
        region: 'cn-hangzhou',
        registryType: 'acr',
        instanceId: 'cri-test00000000',
        endpoint: sims.sasUrl,
        acrEndpoint: sims.acrUrl,
        busyRetrySeconds: 2,
        maxImagesPerTask: 1,
      },
      'acr-sas-engine': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-test00000000', endpoint: sims.acrUrl, engine: 'sas' },
    },
    routes: [
      { source: 'acr', namespace: 'sas-*', repository: '*', tag: '*', scanner: 'sas-hz', channels: ['sec', 'audit'] },
      { source: 'acr', namespace: 'solo-*', repository: '*', tag: '*', scanner: 'sas-solo', channels: ['sec', 'audit'] },
      { source: 'acr', namespace: 'noinst-*', repository: '*', tag: '*', scanner: 'sas-noinst', channels: ['sec', 'audit'] },
      { source: 'acr', namespace: 'engine-*', repository: '*', tag: '*', scanner: 'acr-sas-engine', channels: ['sec', 'audit'] },
      ...base.routes,
    ],
    polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 },
  };
};

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ config: sasConfig });
});
afterAll(async () => {
  await stack?.stop();
});

/** An ACR push of `namespace/repo:tag`, its digest made from `seed`. */
const push = (repo: string, opts: { namespace?: string; tag?: string; seed?: string; region?: string } = {}) => {
  const event = acrPush(repo, opts.tag ?? '1.0.0', opts.seed ?? `sas-${repo}`);
  event.repository.namespace = opts.namespace ?? 'sas-team';
  event.repository.repo_full_name = `${event.repository.namespace}/${repo}`;
  if (opts.region) event.repository.region = opts.region;
  return event;
};
const hex = (event: ReturnType<typeof push>) => (event.push_data.digest as string).slice(7);

const messagesFor = (repo: string, n = 1, timeoutMs = 20_000) =>
  eventually(
    () => {
      const posts = postsFor(stack, repo);
      return posts.slack.length >= n && posts.webhook.length >= n ? posts : undefined;
    },
    timeoutMs,
    `messages for ${repo}`,
  );

/** Bursts: Slack gets summaries (its rate limit), the HTTP receiver one message per image. */
const webhookMessagesFor = (repos: string[], n: number, timeoutMs: number) =>
  eventually(
    () => {
      const posts = [...new Set(repos)].flatMap((repo) => postsFor(stack, repo).webhook);
      return posts.length >= n ? posts : undefined;
    },
    timeoutMs,
    `${n} messages`,
  );

const sasCalls = (action: string, repo: string) =>
  stack.sas.calls.filter((c) => c.action === action && (c.params.RepoNames === repo || (c.params.Images ?? '').includes(`"repoName":"${repo}"`)));

describe('Security Center scans, through local mode', () => {
  it('an image with findings: pre-check, one create with tight filters, and a report on the unified scale', async () => {
    const event = push('api');
    expect((await postWebhook(stack, event)).status).toBe(202);
    const { slack, webhook } = await messagesFor('api');

    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      scanner: { name: 'sas-hz', type: 'sas' },
      image: { namespace: 'sas-team', repository: 'api', tag: '1.0.0', digest: event.push_data.digest },
      worstSeverity: 'high',
      outcome: { status: 'complete', report: { counts: { critical: 0, high: 3, medium: 5, low: 7, unknown: 0 }, total: 15, fixable: 13 } },
    });
    expect(webhook[0].outcome.report.findings[0]).toEqual({
      id: 'CVE-2024-1000',
      severity: 'high',
      package: 'openssl',
      installedVersion: '1.0.0-r0',
      fixCommand: 'apk upgrade openssl',
      link: 'https://nvd.nist.gov/vuln/detail/CVE-2024-1000',
    });
    const text = JSON.stringify(slack[0].blocks);
    expect(text).toContain('Alibaba Cloud Security Center (sas-hz)');
    expect(text).toContain('High 3 · Medium 5 · Low 7 · Unknown 0');
    expect(text).toContain('`openssl` `1.0.0-r0` · fix: `apk upgrade openssl`');
    expect(text).toContain(`https://yundun.console.aliyun.com/?p=sas#/containerImage/cn-shanghai?digest=${hex(event)}`);

    const [precheck, create] = [sasCalls('PublicPreCheckImageScanTask', 'api'), sasCalls('PublicCreateImageScanTask', 'api')];
    const filters = {
      RegistryTypes: 'acr',
      RegionIds: 'cn-hangzhou',
      InstanceIds: 'cri-test00000000',
      RepoNamespaces: 'sas-team',
      RepoNames: 'api',
      Digests: hex(event),
      Tags: '1.0.0',
    };
    expect(precheck.map((c) => c.params)).toEqual([filters]);
    expect(create.map((c) => c.params)).toEqual([filters]);
    expect(stack.sas.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('a clean image', async () => {
    await postWebhook(stack, push('billing-clean'));
    const { slack, webhook } = await messagesFor('billing-clean');
    expect(slack[0].text).toContain('No vulnerabilities found');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', worstSeverity: null, outcome: { report: { total: 0, findings: [] } } });
  });

  it('an image Security Center has not synced yet goes through PublicSyncAndCreateImageScanTask', async () => {
    const event = push('fresh-unsynced');
    await postWebhook(stack, event);
    const { webhook } = await messagesFor('fresh-unsynced');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', outcome: { report: { total: 15 } } });
    expect(sasCalls('PublicCreateImageScanTask', 'fresh-unsynced')).toHaveLength(0);
    const [sync] = sasCalls('PublicSyncAndCreateImageScanTask', 'fresh-unsynced');
    expect(sync!.status).toBe(200);
    expect(JSON.parse(sync!.params.Images!)).toEqual([
      {
        registryType: 'acr',
        repoId: acrSimRepoId('sas-team', 'fresh-unsynced'),
        instanceId: 'cri-test00000000',
        regionId: 'cn-hangzhou',
        repoNamespace: 'sas-team',
        repoName: 'fresh-unsynced',
        digest: hex(event),
        tag: '1.0.0',
        createTime: expect.any(Number),
        updateTime: expect.any(Number),
      },
    ]);
    // The id is ACR's, read with GetRepository from the ACR simulator.
    const lookups = stack.acr.calls.filter((c) => c.action === 'GetRepository' && c.params.RepoName === 'fresh-unsynced');
    expect(lookups.map((c) => [c.params, c.status, c.body.RepoId])).toEqual([
      [{ InstanceId: 'cri-test00000000', RepoNamespaceName: 'sas-team', RepoName: 'fresh-unsynced' }, 200, acrSimRepoId('sas-team', 'fresh-unsynced')],
    ]);
  });

  it('a scanner without instanceId imports without repoId, and does not ask ACR', async () => {
    const event = push('bare-unsynced', { namespace: 'noinst-team' });
    await postWebhook(stack, event);
    const { webhook } = await messagesFor('bare-unsynced');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', scanner: { name: 'sas-noinst' }, outcome: { report: { total: 15 } } });
    const [sync] = sasCalls('PublicSyncAndCreateImageScanTask', 'bare-unsynced');
    const [entry] = JSON.parse(sync!.params.Images!);
    expect(entry).toMatchObject({ registryType: 'acr', repoNamespace: 'noinst-team', repoName: 'bare-unsynced', digest: hex(event) });
    expect(entry).not.toHaveProperty('repoId');
    expect(entry).not.toHaveProperty('instanceId');
    expect(stack.acr.calls.filter((c) => c.params.RepoName === 'bare-unsynced')).toEqual([]);
  });

  it('quota used up: a failure message saying so, not retried, the job dead-lettered', async () => {
    await postWebhook(stack, push('ledger-noquota'));
    const { slack, webhook } = await messagesFor('ledger-noquota');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { status: 'error', code: 'BeyondQuata', retryable: false } });
    expect(webhook[0].outcome.reason).toContain('scan quota is used up');
    expect(slack[0].text).toContain('BeyondQuata');
    expect(sasCalls('PublicCreateImageScanTask', 'ledger-noquota')).toHaveLength(1);
    const dead = await eventually(() => stack.drainDeadLetters('scan').then((m) => (m.length ? m : undefined)), 5000, 'scan DLQ');
    expect(dead.map((d) => JSON.parse(d.body).image.repository)).toContain('ledger-noquota');
  });

  it('a region container image scan does not support: a failure message naming the region', async () => {
    await postWebhook(stack, push('far-away', { region: 'me-central-1' }));
    const { webhook } = await messagesFor('far-away');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { code: 'TASK_NOT_SUPPORT_REGION', retryable: false } });
    expect(webhook[0].outcome.reason).toContain('region me-central-1');
    expect(sasCalls('PublicCreateImageScanTask', 'far-away')[0]!.params.RegionIds).toBe('me-central-1');
  });

  it('a scan Security Center reports FAIL: a scan-failed message', async () => {
    await postWebhook(stack, push('report-broken'));
    const { slack, webhook } = await messagesFor('report-broken');
    expect(slack[0].text).toContain('Scan failed');
    expect(webhook[0]).toMatchObject({ event: 'scan.failed', outcome: { status: 'failed', reason: 'Security Center reported the scan as FAIL' } });
  });

  it('permission denied: NoPermission and the RAM action named, one call, not retried', async () => {
    await postWebhook(stack, push('vault-denied'));
    const { webhook } = await messagesFor('vault-denied');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { code: 'NoPermission', retryable: false } });
    expect(webhook[0].outcome.reason).toContain('yundun-sas:PublicPreCheckImageScanTask');
    expect(sasCalls('PublicPreCheckImageScanTask', 'vault-denied').map((c) => c.status)).toEqual([403]);
  });

  it('throttling is retried with fresh signatures and still delivers', async () => {
    await postWebhook(stack, push('gw-throttled'));
    const { webhook } = await messagesFor('gw-throttled');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
    expect(sasCalls('PublicCreateImageScanTask', 'gw-throttled').map((c) => c.status)).toEqual([400, 400, 200]);
  });

  it('digest format: bare hex on every SAS call, and digests answered with sha256: still match', async () => {
    const event = push('api-prefixed');
    await postWebhook(stack, event);
    const { webhook } = await messagesFor('api-prefixed');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', image: { digest: event.push_data.digest }, outcome: { report: { total: 15 } } });
    const answered = stack.sas.calls.filter((c) => c.action === 'DescribeImageLatestScanTask' && c.params.Digest === hex(event));
    expect((answered.at(-1)!.body.Task as { Target: string }[])[0]!.Target).toBe(event.push_data.digest);
    const sent = stack.sas.calls.flatMap((c) => [c.params.Digest, ...(c.params.Digests ?? '').split(',')]).filter(Boolean);
    expect(sent.length).toBeGreaterThan(10);
    expect(sent.filter((d) => !/^[0-9a-f]{64}$/.test(d!))).toEqual([]);
  });

  it('the ACR scanner with engine "sas" asks ACR for Security Center\'s engine', async () => {
    const event = push('engine-api', { namespace: 'engine-team' });
    await postWebhook(stack, event);
    const { webhook } = await messagesFor('engine-api');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', scanner: { name: 'acr-sas-engine', type: 'acr' } });
    const create = stack.acr.calls.find((c) => c.action === 'CreateRepoTagScanTask' && c.params.Digest === event.push_data.digest);
    expect(create!.params.ScanService).toBe('SAS_SCAN_SERVICE');
  });
});

/**
 * These need the lead's scan queue change: `busy` jobs re-sent as delayed messages, and pushes batched over 10 s so
 * that those arriving together reach one startMany.
 */
describe('busy re-send and coalescing', () => {
  it('an 11th push while Security Center runs 10 tasks waits, and still gets its message', async () => {
    const repos = Array.from({ length: 11 }, (_, i) => `limit-${i + 1}`);
    for (const repo of repos) stack.sas.setBehaviour(`solo-team/${repo}`, { scanChecks: 6 });
    await Promise.all(repos.map((repo) => postWebhook(stack, push(repo, { namespace: 'solo-team' }))));
    const messages = await webhookMessagesFor(repos, repos.length, 60_000);
    expect(new Set(messages.map((m) => m.image.repository))).toEqual(new Set(repos));
    expect(messages.filter((m) => m.event !== 'scan.completed').map((m) => `${m.image.repository}: ${m.outcome.code}`)).toEqual([]);
    expect(messages.every((m) => m.outcome.report.total === 15)).toBe(true);
    const refused = stack.sas.calls.filter(
      (c) => c.action === 'PublicCreateImageScanTask' && repos.includes(c.params.RepoNames!) && !(c.body.Data as { TaskId?: string }).TaskId,
    );
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(stack.sas.tasks.filter((t) => t.images.some((a) => repos.includes(a.repo)))).toHaveLength(11);
  }, 90_000);

  it('23 pushes of one repository arriving together: 3 create calls of 8, 8 and 7 digests, 23 messages', async () => {
    const events = Array.from({ length: 23 }, (_, i) => push('bulk', { tag: `1.0.${i}`, seed: `bulk-${i}` }));
    await Promise.all(events.map((e) => postWebhook(stack, e)));
    const webhook = await webhookMessagesFor(['bulk'], 23, 60_000);
    expect(new Set(webhook.map((m) => m.image.digest)).size).toBe(23);
    const creates = sasCalls('PublicCreateImageScanTask', 'bulk');
    expect(creates.map((c) => c.params.Digests!.split(',').length).sort()).toEqual([7, 8, 8]);
    expect(new Set(creates.flatMap((c) => c.params.Digests!.split(','))).size).toBe(23);
  }, 90_000);
});
