import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { digestOf, readEvent } from '../support/events.js';
import { messagesFor, postsFor, startTestStack, testConfig } from '../support/stack.js';

const HARBOR_SECRET = 'harbor-integration-secret-3b8e';
const SWR_SECRET = 'swr-integration-secret-a41c07';

/** The test config plus a Harbor source (scanned by the ACR simulator, or by Harbor itself) and an SWR EE source. */
const harborConfig = (sims: { acrUrl: string; chatUrl: string }) => {
  const base = testConfig(sims);
  return {
    ...base,
    sources: {
      ...base.sources,
      harbor: { secret: HARBOR_SECRET },
      'swr-ee': { type: 'swr', secret: SWR_SECRET, header: 'X-Scanhook-Token', region: 'cn-north-4' },
    },
    routes: [
      ...base.routes,
      { source: 'harbor', namespace: 'team-a', scanner: 'registry', channels: ['sec', 'audit'] },
      { source: 'harbor', namespace: 'team-a', scanner: 'acr-hz', channels: ['sec', 'audit'] },
      { source: 'swr-ee', namespace: 'team-a', scanner: 'acr-hz', channels: ['sec', 'audit'] },
    ],
  };
};

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ config: harborConfig });
});
afterAll(async () => {
  await stack?.stop();
});

const sample = (sub: string, file: string): Record<string, any> => readEvent(`${sub}/${file}`);

/** A Harbor payload for `team-a/<repo>`, with a digest made from `seed` in every resource. */
const harborEvent = (file: string, repo: string, seed = repo, sub = 'harbor') => {
  const event = sample(sub, file);
  const data = event.event_data ?? event.data;
  const digest = digestOf(seed);
  for (const r of data.resources) {
    if (r.tag?.startsWith('sha256:')) r.tag = digest;
    r.digest = digest;
  }
  data.repository = { ...data.repository, name: repo, namespace: 'team-a', repo_full_name: `team-a/${repo}` };
  return event;
};

const post = async (source: string, body: unknown, headers: Record<string, string> = { authorization: HARBOR_SECRET }, contentType = 'application/json') => {
  const res = await fetch(`${stack.url}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

const waitForMessages = (repo: string) => messagesFor(stack, repo);

/** A scan of `repo` starts with GetRepository by name: none means the ACR simulator never heard of it. */
const acrCallsFor = (repo: string) => stack.acr.calls.filter((c) => c.params.RepoName === repo);

describe('Harbor and SWR EE webhooks through local mode', () => {
  it('a Harbor push is scanned by the route’s scanner (the ACR simulator) and reported', async () => {
    const event = harborEvent('push.json', 'harbor-api');
    const res = await post('harbor', event);
    expect(res).toMatchObject({ status: 202, body: { accepted: 1, ignored: [], jobs: [{ image: 'team-a/harbor-api:1.4.2', scanner: 'acr-hz' }] } });

    const { slack, webhook } = await waitForMessages('harbor-api');
    expect(slack[0].text).toContain('team-a/harbor-api:1.4.2');
    expect(JSON.stringify(slack[0].blocks)).toContain('High 3 · Medium 5 · Low 7 · Unknown 1');
    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      image: {
        source: 'harbor',
        namespace: 'team-a',
        repository: 'harbor-api',
        tag: '1.4.2',
        digest: event.event_data.resources[0].digest,
        pushedAt: '2026-11-22T06:25:46.000Z',
      },
      scanner: { name: 'acr-hz', type: 'acr' },
    });
    const create = stack.acr.calls.find((c) => c.action === 'CreateRepoTagScanTask' && c.params.Digest === event.event_data.resources[0].digest);
    expect(create?.params).toMatchObject({ Tag: '1.4.2' });
    expect(stack.acr.calls.find((c) => c.action === 'GetRepository' && c.params.RepoName === 'harbor-api')?.params.RepoNamespaceName).toBe('team-a');
  });

  it('a CloudEvents push of a nested repository keeps the repository name whole', async () => {
    const event = harborEvent('push-cloudevents.json', 'web/harbor-ce');
    const res = await post('harbor', event, { authorization: `Bearer ${HARBOR_SECRET}` }, 'application/cloudevents+json');
    expect(res.status).toBe(202);
    expect(res.body.jobs[0].image).toBe('team-a/web/harbor-ce:2.0.0');
    const { webhook } = await waitForMessages('web/harbor-ce');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', image: { namespace: 'team-a', repository: 'web/harbor-ce', tag: '2.0.0' } });
    expect(stack.acr.calls.find((c) => c.action === 'GetRepository' && c.params.RepoName === 'web/harbor-ce')?.params.RepoNamespaceName).toBe('team-a');
  });

  it('a digest-only push is queued without a tag; ACR, which scans tags, refuses it and the refusal is reported', async () => {
    const event = harborEvent('push-digest-only.json', 'harbor-untagged');
    const digest = event.event_data.resources[0].digest;
    const res = await post('harbor', event);
    expect(res.body).toMatchObject({ accepted: 1, jobs: [{ image: `team-a/harbor-untagged@${digest}` }] });
    const { slack, webhook } = await waitForMessages('harbor-untagged');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { code: 'TagRequired', retryable: false } });
    expect(webhook[0].image.tag).toBeUndefined();
    expect(slack[0].text).toContain(`team-a/harbor-untagged@${digest.slice(0, 19)}`);
    expect(acrCallsFor('harbor-untagged')).toEqual([]);
  });

  it('SCANNING_COMPLETED on a "registry" route becomes a message with Harbor’s counts, and calls no scanner', async () => {
    const event = harborEvent('scanning-completed.json', 'harbor-scanned');
    const res = await post('harbor', event);
    expect(res).toMatchObject({ status: 202, body: { accepted: 1, jobs: [{ image: 'team-a/harbor-scanned:1.4.2', scanner: 'registry' }] } });

    const { slack, webhook } = await waitForMessages('harbor-scanned');
    const text = JSON.stringify(slack[0].blocks);
    expect(slack[0].text).toContain('team-a/harbor-scanned:1.4.2');
    expect(text).toContain('Harbor (registry)');
    expect(text).toContain('Critical 1 · High 2 · Medium 5 · Low 3 · Unknown 0');
    expect(text).toContain('https://harbor.example.com/harbor/projects/team-a/repositories/harbor-scanned/artifacts-tab/artifacts/');
    expect(text).toContain('*Scan took*\\n12s');
    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      scanner: { name: 'registry', type: 'harbor' },
      worstSeverity: 'critical',
      outcome: { status: 'complete', report: { counts: { critical: 1, high: 2, medium: 5, low: 3, unknown: 0 }, total: 11, fixable: 7, findings: [] } },
      scanStartedAt: '2026-11-22T06:25:50.000Z',
      finishedAt: '2026-11-22T06:26:02.000Z',
    });
    expect(acrCallsFor('harbor-scanned')).toEqual([]);
  });

  it('a scan result Harbor delivers twice (its retry) is posted once', async () => {
    const event = harborEvent('scanning-completed.json', 'harbor-retried');
    expect((await post('harbor', event)).status).toBe(202);
    expect((await post('harbor', event)).status).toBe(202);
    await waitForMessages('harbor-retried');
    await new Promise((r) => setTimeout(r, 1500));
    const { slack, webhook } = postsFor(stack, 'harbor-retried');
    expect(webhook).toHaveLength(1);
    expect(slack).toHaveLength(1);
  });

  it('SCANNING_FAILED on a "registry" route becomes a failure message', async () => {
    const res = await post('harbor', harborEvent('scanning-failed.json', 'harbor-scan-error'));
    expect(res.status).toBe(202);
    const { slack, webhook } = await waitForMessages('harbor-scan-error');
    expect(slack[0].text).toContain('Scan failed');
    expect(webhook[0]).toMatchObject({ event: 'scan.failed', outcome: { status: 'failed', reason: "the registry's scanner (Trivy) reported status Error" } });
    expect(acrCallsFor('harbor-scan-error')).toEqual([]);
  });

  it('an SWR EE push authenticated by its auth_header reaches the scanner with the configured region', async () => {
    const event = harborEvent('push.json', 'swr-payments/api', 'swr-payments', 'swr');
    const res = await post('swr-ee', event, { 'X-Scanhook-Token': SWR_SECRET });
    expect(res.status).toBe(202);
    const { webhook } = await waitForMessages('swr-payments/api');
    expect(webhook[0]).toMatchObject({
      event: 'scan.completed',
      image: { source: 'swr-ee', region: 'cn-north-4', namespace: 'team-a', repository: 'swr-payments/api' },
    });
  });

  it('other Harbor events are answered 202 and listed as ignored', async () => {
    const pulled = sample('harbor', 'push-cloudevents.json');
    pulled.type = 'harbor.artifact.pulled';
    const res = await post('harbor', pulled, undefined, 'application/cloudevents+json');
    expect(res).toEqual({ status: 202, body: { accepted: 0, ignored: [{ event: 'harbor.artifact.pulled', reason: 'not a push or scan result' }], jobs: [] } });
  });
});

describe('bad Harbor webhooks get a clear 4xx and queue nothing', () => {
  const bad = (mutate: (e: Record<string, any>) => void) => {
    const event = harborEvent('push.json', 'harbor-bad');
    mutate(event);
    return event;
  };
  it.each([
    ['an unknown source', 'harbour', bad(() => {}), {}, 'application/json', 404, /unknown source "harbour"/],
    ['a wrong secret', 'harbor', bad(() => {}), { authorization: 'Bearer not-the-secret' }, 'application/json', 401, /missing or wrong webhook secret/],
    [
      'the SWR secret in Authorization instead of its header',
      'swr-ee',
      bad(() => {}),
      { authorization: SWR_SECRET },
      'application/json',
      401,
      /missing or wrong webhook secret/,
    ],
    ['a non-JSON content type', 'harbor', bad(() => {}), {}, 'text/plain', 415, /content-type "text\/plain" is not JSON/],
    ['a body that is not JSON', 'harbor', '{"type": "PUSH_ARTIFACT",', {}, 'application/json', 400, /body is not valid JSON/],
    ['a body over 256 KiB', 'harbor', bad((e) => (e.padding = 'x'.repeat(256 * 1024))), {}, 'application/json', 413, /larger than 256 KiB/],
    ['no resources', 'harbor', bad((e) => delete e.event_data.resources), {}, 'application/json', 400, /^invalid harbor payload: event_data\.resources: /],
    [
      'a malformed digest',
      'harbor',
      bad((e) => (e.event_data.resources[0].digest = 'sha256:abc')),
      {},
      'application/json',
      400,
      /event_data\.resources\[0\]\.digest: expected "sha256:" followed by 64 hex digits/,
    ],
    [
      'a repository without project',
      'harbor',
      bad((e) => (e.event_data.repository = { name: 'x' })),
      {},
      'application/json',
      400,
      /event_data\.repository\.namespace: expected the project name/,
    ],
    [
      'a CloudEvent without data',
      'harbor',
      { specversion: '1.0', type: 'harbor.artifact.pushed', id: '1' },
      {},
      'application/cloudevents+json',
      400,
      /^invalid harbor payload: data: /,
    ],
  ] as const)('answers %s with the status and a message that says what is wrong', async (_what, source, body, headers, contentType, status, message) => {
    const auth = 'authorization' in headers ? headers : { authorization: HARBOR_SECRET };
    const res = await post(source, body, auth as Record<string, string>, contentType);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
  });

  it('called no scanner and sent no message for any of them', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    expect(acrCallsFor('harbor-bad')).toEqual([]);
    expect(postsFor(stack, 'harbor-bad')).toEqual({ slack: [], webhook: [] });
  });
});
