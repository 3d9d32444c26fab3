import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorUrls } from '../../local/demoConfig.js';
import { hssSimDigest } from '../../local/simulators/hss.js';
import { HUAWEI_SIM_KEYS, HUAWEI_SIM_LOGIN, HUAWEI_SIM_PROJECT } from '../../local/simulators/huaweiApig.js';
import type { Stack } from '../../local/stack.js';
import { digestOf, readEvent } from '../support/events.js';
import { captureOutput, eventually, postsFor, postWebhook, pushEvent, SLACK_PATH, SOURCE_SECRET, slackSays, startTestStack } from '../support/stack.js';

/**
 * SWR Enterprise Edition and HSS scans through local mode: ACR-format pushes (until the SWR EE / Harbor sources are
 * in) routed by namespace to Huawei scanners, against the SWR, HSS and IAM simulators, which check every signature
 * and token.
 */
const huaweiConfig = ({ swrUrl, hssUrl, iamUrl, chatUrl }: SimulatorUrls) => {
  const common = { region: 'cn-north-4', projectId: HUAWEI_SIM_PROJECT, iamEndpoint: iamUrl };
  const route = (namespace: string, scanner: string) => ({ source: 'acr', namespace, scanner, channels: ['sec', 'audit'] });
  return {
    sources: { acr: { secret: SOURCE_SECRET }, swr: { type: 'swr', secret: SOURCE_SECRET, header: 'X-Swr-Token', region: 'cn-north-4' } },
    scanners: {
      'swr-bj': { type: 'swr', ...common, instanceId: 'ee-test-0001', endpoint: swrUrl },
      'swr-token': { type: 'swr', ...common, instanceId: 'ee-test-0001', endpoint: swrUrl, auth: 'token' },
      'hss-bj': { type: 'hss', ...common, endpoint: hssUrl },
      'hss-batch': { type: 'hss', ...common, endpoint: hssUrl, method: 'batch' },
      'hss-token': { type: 'hss', ...common, endpoint: hssUrl, auth: 'token' },
    },
    channels: {
      sec: { type: 'slack', url: `${chatUrl}${SLACK_PATH}` },
      audit: { type: 'webhook', url: `${chatUrl}/webhook/audit` },
    },
    routes: [
      { source: 'swr', scanner: 'swr-bj', channels: ['sec', 'audit'] },
      route('swr', 'swr-bj'),
      route('swr-tok', 'swr-token'),
      route('hss', 'hss-bj'),
      route('hss-batch', 'hss-batch'),
      route('hss-tok', 'hss-token'),
    ],
    polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 0.2 },
    // A throttled Huawei call waits 2–5 s inside the invocation: maxDelayMs leaves room for it.
    http: { timeoutMs: 3000, attempts: 4, baseDelayMs: 20, maxDelayMs: 6000 },
  };
};

const env = {
  HUAWEICLOUD_SDK_AK: HUAWEI_SIM_KEYS.accessKey,
  HUAWEICLOUD_SDK_SK: HUAWEI_SIM_KEYS.secretKey,
  HUAWEICLOUD_IAM_USER: HUAWEI_SIM_LOGIN.user,
  HUAWEICLOUD_IAM_PASSWORD: HUAWEI_SIM_LOGIN.password,
  HUAWEICLOUD_IAM_DOMAIN: HUAWEI_SIM_LOGIN.domain,
};

/** An ACR-format push of `namespace/repository:tag`. */
const push = (namespace: string, repository: string, tag = '1.0.0', digest = digestOf(`${namespace}/${repository}`)) => {
  const event = pushEvent();
  event.push_data.digest = digest;
  event.push_data.tag = tag;
  event.repository = { ...event.repository, name: repository, namespace, region: 'cn-north-4', repo_full_name: `${namespace}/${repository}` };
  return event;
};

let stack: Stack;
let output: ReturnType<typeof captureOutput>;
beforeAll(async () => {
  output = captureOutput();
  output.start();
  // Longer than a throttled call's 2–5 s wait, so SQS does not hand the same job to a second poller meanwhile.
  stack = await startTestStack({ config: huaweiConfig, env, visibilityTimeoutSeconds: 10 });
});
afterAll(async () => {
  await stack?.stop();
  output.stop();
});

const messagesFor = (repository: string) =>
  eventually(
    () => {
      const posts = postsFor(stack, repository);
      return posts.slack.length && posts.webhook.length ? posts : undefined;
    },
    25_000,
    `messages for ${repository}`,
  );

const send = async (body: unknown) => expect((await postWebhook(stack, body)).status).toBe(202);

describe.concurrent('SWR Enterprise Edition scans through local mode', () => {
  it('scans a repository whose name has a /, and posts its findings', async () => {
    await send(push('swr', 'platform/api-gw'));
    const { slack, webhook } = await messagesFor('platform/api-gw');
    // These tests run side by side: Slack may get the results in one summary (its rate limit), so Slack is only
    // asked to name the image; the HTTP receiver gets every result on its own.
    expect(slackSays(slack[0], 'platform/api-gw')).toContain('swr/platform/api-gw:1.0.0');
    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      scanner: { name: 'swr-bj', type: 'swr' },
      worstSeverity: 'critical',
      outcome: { status: 'complete', report: { counts: { critical: 1, high: 2, medium: 3, low: 4, unknown: 1 }, total: 11, fixable: 7 } },
    });
    const calls = stack.swr.callsFor('swr/platform/api-gw');
    expect(calls.filter((c) => c.operation === 'StartManualScanning')).toHaveLength(1);
    expect(calls.every((c) => c.status < 300 && c.auth === 'aksk')).toBe(true);
    // Every artifact call names this digest; the baseline's artifact list names the repository alone, encoded the same way.
    const [byDigest, listed] = [calls.filter((c) => c.operation !== 'ListInstanceArtifacts'), calls.filter((c) => c.operation === 'ListInstanceArtifacts')];
    expect(byDigest.every((c) => c.rawPath.includes('/repositories/platform%252Fapi-gw/artifacts/sha256:'))).toBe(true);
    expect(listed.map((c) => c.rawPath)).toEqual([
      `/v2/${HUAWEI_SIM_PROJECT}/instances/ee-test-0001/namespaces/swr/repositories/platform%252Fapi-gw/artifacts`,
    ]);
    expect(calls.filter((c) => c.operation === 'ShowInstanceArtifact').length).toBeGreaterThanOrEqual(3);
  });

  it("an SWR EE push webhook (secret in its auth header) of a nested repository reaches SWR EE's scanner", async () => {
    const event = readEvent('swr/push.json');
    event.event_data.repository = { ...event.event_data.repository, name: 'ledger/core', repo_full_name: 'team-a/ledger/core' };
    const res = await fetch(`${stack.url}/webhooks/swr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Swr-Token': SOURCE_SECRET },
      body: JSON.stringify(event),
    });
    expect(res.status).toBe(202);
    const { webhook } = await messagesFor('ledger/core');
    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      scanner: { name: 'swr-bj' },
      image: { source: 'swr', namespace: 'team-a', repository: 'ledger/core', region: 'cn-north-4' },
    });
    const calls = stack.swr.callsFor('team-a/ledger/core');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.rawPath.includes('/namespaces/team-a/repositories/ledger%252Fcore/artifacts'))).toBe(true);
  });

  it('says so when the artifact is clean', async () => {
    await send(push('swr', 'billing-clean'));
    const { slack, webhook } = await messagesFor('billing-clean');
    expect(slackSays(slack[0], 'billing-clean')).toContain('No vulnerabilities found');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', worstSeverity: null, outcome: { report: { total: 0 } } });
  });

  it('posts a failure message when the scan ends in Error', async () => {
    await send(push('swr', 'report-broken'));
    const { slack, webhook } = await messagesFor('report-broken');
    expect(slackSays(slack[0], 'report-broken')).toContain('Scan failed');
    expect(webhook[0]).toMatchObject({ event: 'scan.failed', outcome: { status: 'failed', reason: 'SWR Enterprise Edition reported the scan as Error' } });
  });

  it('an instance older than v25.7.20: a failure message that says so, and the job in the DLQ', async () => {
    await send(push('swr', 'legacy-api'));
    const { slack, webhook } = await messagesFor('legacy-api');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { status: 'error', code: 'SWR.EE.4040001', retryable: false } });
    expect(webhook[0].outcome.reason).toContain('the instance is older than v25.7.20');
    expect(JSON.stringify(slack[0])).toContain('v25.7.20');
    expect(stack.swr.callsFor('swr/legacy-api').map((c) => c.operation)).toEqual(['StartManualScanning', 'ShowInstanceArtifact']);
    const dead = await eventually(async () => (await stack.drainDeadLetters('scan')).find((m) => m.body.includes('legacy-api')), 10_000, 'scan DLQ');
    expect(dead.reason).toContain('v25.7.20');
  });

  it('waits 2–5 s after a throttled call, retries with a fresh signature, and still delivers', async () => {
    await send(push('swr', 'gw-throttled'));
    const { webhook } = await messagesFor('gw-throttled');
    expect(webhook).toHaveLength(1);
    expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
    const calls = stack.swr.callsFor('swr/gw-throttled');
    expect(calls.slice(0, 3).map((c) => c.status)).toEqual([429, 429, 202]);
    // Timers run off the event loop's cached clock, which can lag a little on a busy machine: hence 1900, not 2000.
    for (const i of [1, 2]) {
      const gap = calls[i]!.at - calls[i - 1]!.at;
      expect(gap).toBeGreaterThanOrEqual(1900);
      expect(gap).toBeLessThan(6500);
    }
  });

  it('retries 5xx and still delivers', async () => {
    await send(push('swr', 'gw-flaky'));
    const { webhook } = await messagesFor('gw-flaky');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
    expect(stack.swr.callsFor('swr/gw-flaky').filter((c) => c.status === 503)).toHaveLength(2);
  });
});

describe.concurrent('HSS scans through local mode', () => {
  it('scan task: starts by digest and tag, follows the image, posts counts by repair necessity', async () => {
    const event = push('hss', 'platform/billing', '2.4.0');
    await send(event);
    const { slack, webhook } = await messagesFor('platform/billing');
    expect(slackSays(slack[0], 'platform/billing')).toContain('platform/billing:2.4.0');
    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      scanner: { name: 'hss-bj', type: 'hss' },
      worstSeverity: 'high',
      outcome: { report: { counts: { critical: 0, high: 2, medium: 4, low: 6, unknown: 0 }, total: 12 } },
    });
    const calls = stack.hss.callsFor('hss/platform/billing');
    const start = calls.find((c) => c.operation === 'CreateManualImageScanTask')!;
    expect(start.body.image_info).toEqual([
      { image_digest: event.push_data.digest, namespace: 'hss', image_name: 'platform/billing', image_version: '2.4.0', registry_type: 'SwrPrivate' },
    ]);
    expect(calls.every((c) => c.status === 200 && c.auth === 'aksk')).toBe(true);
    // Every finding of every repair necessity in one page (the whole list, for the comparison), and none of the baseline's: it is the first.
    expect(calls.filter((c) => c.operation === 'ListImageVulnerabilities')).toHaveLength(1);
  });

  it('batch scan: starts by tag with BatchScanSwrImage and matches the digest HSS lists', async () => {
    await send(push('hss-batch', 'ledger', '7.0.1', hssSimDigest('hss-batch', 'ledger', '7.0.1')));
    const { webhook } = await messagesFor('ledger');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', scanner: { name: 'hss-batch' }, outcome: { report: { total: 12 } } });
    const start = stack.hss.callsFor('hss-batch/ledger').find((c) => c.status === 200)!;
    expect(start.operation).toBe('BatchScanSwrImage');
    expect(start.body).toEqual({
      image_type: 'private_image',
      operate_all: false,
      image_info_list: [{ namespace: 'hss-batch', image_name: 'ledger', image_version: '7.0.1' }],
    });
  });

  it('a clean image', async () => {
    await send(push('hss', 'base-clean'));
    const { slack } = await messagesFor('base-clean');
    expect(slackSays(slack[0], 'base-clean')).toContain('No vulnerabilities found');
  });

  it("a failed download: a failure message with HSS's reason", async () => {
    await send(push('hss', 'blob-download'));
    const { webhook } = await messagesFor('blob-download');
    expect(webhook[0]).toMatchObject({ event: 'scan.failed' });
    expect(webhook[0].outcome.reason).toBe('HSS could not download the image (download_failed): Failed to pull the image from the registry.');
  });

  it('throttled start calls are retried after 2–5 s and the scan still completes', async () => {
    await send(push('hss', 'queue-throttled'));
    const { webhook } = await messagesFor('queue-throttled');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
    const calls = stack.hss.callsFor('hss/queue-throttled');
    expect(calls.slice(0, 3).map((c) => [c.operation, c.status])).toEqual([
      ['CreateManualImageScanTask', 429],
      ['CreateManualImageScanTask', 429],
      ['CreateManualImageScanTask', 200],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('a refused scan: a failure message naming the HSS code, and the job in the DLQ', async () => {
    await send(push('hss', 'vault-denied'));
    const { webhook } = await messagesFor('vault-denied');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { code: 'HSS.0403', retryable: false } });
    expect(stack.hss.callsFor('hss/vault-denied')).toHaveLength(1);
  });
});

describe('IAM token auth through local mode', () => {
  it('logs in once and reuses the token across scans, SWR and HSS alike', async () => {
    const before = stack.iam.issued();
    await send(push('swr-tok', 'token-first-clean'));
    await messagesFor('token-first-clean');
    const afterFirst = stack.iam.issued();
    expect(afterFirst - before).toBeLessThanOrEqual(1);
    await send(push('hss-tok', 'token-second'));
    await send(push('swr-tok', 'token-third'));
    await Promise.all([messagesFor('token-second'), messagesFor('token-third')]);
    expect(stack.iam.issued()).toBe(afterFirst);
    const calls = [...stack.swr.callsFor('swr-tok/token-third'), ...stack.hss.callsFor('hss-tok/token-second')];
    expect(calls.length).toBeGreaterThan(4);
    expect(calls.every((c) => c.auth === 'token' && c.status < 300)).toBe(true);
  });

  it('a token that expires mid-way: logs in again once, repeats the call, and the scan completes', async () => {
    for (const [namespace, sim] of [
      ['swr-tok', stack.swr],
      ['hss-tok', stack.hss],
    ] as const) {
      const repository = `${namespace}-api-expired`;
      const before = stack.iam.issued();
      await send(push(namespace, repository));
      const { webhook } = await messagesFor(repository);
      expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
      expect(stack.iam.issued() - before).toBe(1);
      const calls = sim.callsFor(`${namespace}/${repository}`);
      expect(calls.map((c) => c.status).filter((s) => s === 401)).toHaveLength(1);
      expect(calls[1]!.status).toBeLessThan(300); // the same call, repeated at once with the new token
    }
  });
});

describe('missing credentials', () => {
  it('end in a failure message naming the variables to set, with no call to SWR', async () => {
    const bare = await startTestStack({ config: huaweiConfig, env: { HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '', HUAWEICLOUD_IAM_USER: '' } });
    try {
      await postWebhook(bare, push('swr', 'no-creds'));
      const posts = await eventually(
        () => {
          const p = postsFor(bare, 'no-creds');
          return p.webhook.length ? p : undefined;
        },
        15_000,
        'failure message',
      );
      expect(posts.webhook[0]).toMatchObject({ event: 'scan.error', outcome: { code: 'MissingCredentials', retryable: false } });
      expect(posts.webhook[0].outcome.reason).toContain('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_IAM_USER');
      expect(bare.swr.calls).toHaveLength(0);
      expect(bare.iam.calls).toHaveLength(0);
    } finally {
      await bare.stop();
    }
  });
});

describe('secrets', () => {
  it('never logs the secret key, the IAM password or a token', () => {
    const log = output.text();
    expect(log).toContain('platform/api-gw');
    for (const secret of [HUAWEI_SIM_KEYS.secretKey, HUAWEI_SIM_LOGIN.password, ...stack.iam.tokens.all()]) expect(log).not.toContain(secret);
    expect(stack.iam.tokens.all().length).toBeGreaterThanOrEqual(2);
  });
});
