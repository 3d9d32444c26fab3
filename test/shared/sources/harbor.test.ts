import { describe, expect, it } from 'vitest';
import { $ZodError } from 'zod/v4/core';
import { formatIssues } from '../../../shared/config/zodIssues.js';
import { harborSource } from '../../../shared/sources/harbor.js';
import { parseHarborWebhook } from '../../../shared/sources/harborPayload.js';
import { registryScanOutcome } from '../../../shared/sources/scanOverview.js';
import { swrSource } from '../../../shared/sources/swr.js';
import { readEvent } from '../../support/events.js';

const event = (sub: string, file: string): Record<string, any> => readEvent(`${sub}/${file}`);
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const CE_TYPE = { 'content-type': 'application/cloudevents+json' };
const VULN_REPORT = 'application/vnd.security.vulnerability.report; version=1.1';

const parse = (payload: unknown, headers: Record<string, string> = JSON_TYPE, opts = {}) => parseHarborWebhook({ headers, query: {}, payload }, 'harbor', opts);

/** The message handleWebhook would answer 400 with. */
const problem = (payload: unknown, headers: Record<string, string> = JSON_TYPE): string => {
  try {
    parse(payload, headers);
  } catch (err) {
    if (err instanceof $ZodError) return formatIssues(err);
    throw err;
  }
  throw new Error('parsed without complaint');
};

const push = (over: { resources?: unknown[]; repository?: Record<string, unknown> } = {}) => ({
  type: 'PUSH_ARTIFACT',
  occur_at: 1795328746,
  operator: 'admin',
  event_data: {
    resources: over.resources ?? [{ digest: DIGEST, tag: 'v1', resource_url: 'harbor.example.com/team-a/api:v1' }],
    repository: over.repository ?? { name: 'api', namespace: 'team-a', repo_full_name: 'team-a/api', repo_type: 'private' },
  },
});

describe('Harbor default format: pushes', () => {
  it('maps project, repository, tag, digest and occur_at', () => {
    const parsed = parse(event('harbor', 'push.json'));
    expect(parsed).toEqual({
      pushes: [
        {
          source: 'harbor',
          namespace: 'team-a',
          repository: 'api-gw',
          tag: '1.4.2',
          digest: 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c',
          pushedAt: '2026-11-22T06:25:46.000Z',
        },
      ],
      ignored: [],
    });
  });

  it.each([0, -5, 1e20, Number.MAX_VALUE])('occur_at %s is no date: no pushedAt, no error', (occurAt) => {
    const [image] = parse({ ...push(), occur_at: occurAt }).pushes;
    expect(image).not.toHaveProperty('pushedAt');
  });

  it('a CloudEvent time that is no date gives no pushedAt', () => {
    const ce = event('harbor', 'push-cloudevents.json');
    ce.time = 'yesterday';
    expect(parse(ce, CE_TYPE).pushes[0]).not.toHaveProperty('pushedAt');
  });

  it('puts the configured region on every image', () => {
    expect(parse(push(), JSON_TYPE, { region: 'cn-north-4' }).pushes[0]!.region).toBe('cn-north-4');
    expect(parse(push()).pushes[0]).not.toHaveProperty('region');
  });

  it.each([
    ['the digest in the tag field', DIGEST],
    ['an empty tag', ''],
    ['no tag at all', undefined],
  ])('a resource with %s is a digest-only push', (_what, tag) => {
    const [image] = parse(push({ resources: [{ digest: DIGEST, ...(tag === undefined ? {} : { tag }) }] })).pushes;
    expect(image).toMatchObject({ namespace: 'team-a', repository: 'api', digest: DIGEST });
    expect(image).not.toHaveProperty('tag');
    expect(image).not.toHaveProperty('tags');
  });

  it('the digest-only sample payload becomes one push without a tag', () => {
    const parsed = parse(event('harbor', 'push-digest-only.json'));
    expect(parsed.pushes).toHaveLength(1);
    expect(parsed.pushes[0]!.tag).toBeUndefined();
  });

  it('a multi-resource push gives one image per resource, each listing every tag of its digest', () => {
    const { pushes } = parse(event('harbor', 'push-multi-resource.json'));
    const [a, b] = [
      'sha256:a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      'sha256:b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1',
    ];
    expect(pushes.map((p) => [p.digest, p.tag, p.tags])).toEqual([
      [a, '3.1.0', ['3.1.0', 'latest']],
      [a, 'latest', ['3.1.0', 'latest']],
      [b, '3.1.0-debug', undefined],
    ]);
  });

  it('a digest-only resource next to a tagged one of the same digest adds no tag', () => {
    const { pushes } = parse(
      push({
        resources: [
          { digest: DIGEST, tag: 'v1' },
          { digest: DIGEST, tag: DIGEST },
          { digest: DIGEST, tag: 'v1' },
        ],
      }),
    );
    expect(pushes.map((p) => p.tag)).toEqual(['v1', undefined, 'v1']);
    expect(pushes.every((p) => p.tags === undefined)).toBe(true);
  });

  it.each([
    ['team-a/web/frontend', 'web/frontend', 'team-a', 'web/frontend'],
    ['team-a/a/b/c', 'a/b/c', 'team-a', 'a/b/c'],
    // a sender that puts only the last segment in `name`: repo_full_name keeps the nesting
    ['team-a/a/b/c', 'c', 'team-a', 'a/b/c'],
  ])('repo_full_name %s with name %s → namespace %s, repository %s', (full, name, namespace, repository) => {
    const [image] = parse(push({ repository: { name, namespace: 'team-a', repo_full_name: full } })).pushes;
    expect(image).toMatchObject({ namespace, repository });
  });

  it('namespace and name are derived from repo_full_name when missing, and name alone is enough with a namespace', () => {
    expect(parse(push({ repository: { repo_full_name: 'proj/x/y' } })).pushes[0]).toMatchObject({ namespace: 'proj', repository: 'x/y' });
    expect(parse(push({ repository: { namespace: 'proj', name: 'x/y' } })).pushes[0]).toMatchObject({ namespace: 'proj', repository: 'x/y' });
  });
});

describe('Harbor CloudEvents format', () => {
  it('a harbor.artifact.pushed event is a push; its data is read like event_data', () => {
    const { pushes, ignored } = parse(event('harbor', 'push-cloudevents.json'), CE_TYPE);
    expect(ignored).toEqual([]);
    expect(pushes).toEqual([
      {
        source: 'harbor',
        namespace: 'team-a',
        repository: 'web/frontend',
        tag: '2.0.0',
        digest: 'sha256:0c9a6e1f3d2b4a5c6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5',
        pushedAt: '2026-11-22T06:25:46.000Z',
      },
    ]);
  });

  it('is recognised by its specversion even under application/json', () => {
    expect(parse(event('harbor', 'push-cloudevents.json')).pushes).toHaveLength(1);
  });

  it('content type parameters do not matter', () => {
    expect(parse(event('harbor', 'push-cloudevents.json'), { 'content-type': 'application/cloudevents+json; charset=utf-8' }).pushes).toHaveLength(1);
  });

  it('a scan.completed event carries the result and the project id for the console link', () => {
    const { results } = parse(event('harbor', 'scanning-completed-cloudevents-digest-only.json'), CE_TYPE, {
      consoleUrl: (ref: { projectId?: string }) => `project ${ref.projectId}`,
    });
    expect(results).toHaveLength(1);
    expect(results![0]).toMatchObject({
      event: 'SCANNING_COMPLETED',
      image: { namespace: 'team-a', repository: 'api-gw', digest: 'sha256:7f3c1d9e2a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5' },
      outcome: {
        status: 'complete',
        report: { counts: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }, total: 0, fixable: 0, findings: [], consoleUrl: 'project 7' },
      },
    });
    expect(results![0]!.image.tag).toBeUndefined();
  });

  it.each([['harbor.artifact.pulled'], ['harbor.artifact.deleted'], ['harbor.scan.stopped'], ['harbor.quota.exceeded']])(
    '%s is ignored, named in `ignored`',
    (type) => {
      const parsed = parse({ specversion: '1.0', id: 'x', source: '/projects/1/webhook/policies/1', type, data: {} }, CE_TYPE);
      expect(parsed).toEqual({ pushes: [], ignored: [{ event: type, reason: 'not a push or scan result' }] });
    },
  );
});

describe('Harbor scan results', () => {
  it('SCANNING_COMPLETED: the severity summary becomes the unified counts, the scan times its duration', () => {
    const { pushes, results, ignored } = parse(event('harbor', 'scanning-completed.json'));
    expect(pushes).toEqual([]);
    expect(ignored).toEqual([]);
    expect(results).toEqual([
      {
        event: 'SCANNING_COMPLETED',
        image: {
          source: 'harbor',
          namespace: 'team-a',
          repository: 'api-gw',
          tag: '1.4.2',
          digest: 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c',
        },
        outcome: { status: 'complete', report: { counts: { critical: 1, high: 2, medium: 5, low: 3, unknown: 0 }, total: 11, fixable: 7, findings: [] } },
        scanStartedAt: '2026-11-22T06:25:50.000Z',
        finishedAt: '2026-11-22T06:26:02.000Z',
      },
    ]);
  });

  it('SCANNING_FAILED: a failed outcome naming the registry scanner and its status', () => {
    const { results } = parse(event('harbor', 'scanning-failed.json'));
    expect(results![0]).toMatchObject({
      event: 'SCANNING_FAILED',
      image: { namespace: 'team-a', repository: 'web/frontend', tag: '2.0.0' },
      outcome: { status: 'failed', reason: "the registry's scanner (Trivy) reported status Error" },
    });
  });

  it('an SBOM scan is ignored: it has no vulnerability counts', () => {
    const sbom = event('harbor', 'scanning-completed.json');
    sbom.event_data.scan.scan_type = 'sbom';
    expect(parse(sbom)).toEqual({ pushes: [], ignored: [{ event: 'SCANNING_COMPLETED', reason: 'a sbom scan carries no vulnerability counts' }] });
  });

  it('the Harbor plugin links to the artifact page; SWR has no derivable console', () => {
    const config = { type: 'harbor' as const, secret: 'x'.repeat(16) };
    const req = { headers: JSON_TYPE, query: {}, payload: event('harbor', 'scanning-completed.json') };
    const report = (r: ReturnType<typeof harborSource.parse>) => (r.results![0]!.outcome as { report: { consoleUrl?: string } }).report;
    expect(report(harborSource.parse(req, 'harbor', config)).consoleUrl).toBe(
      'https://harbor.example.com/harbor/projects/team-a/repositories/api-gw/artifacts-tab/artifacts/sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c',
    );
    const ce = { headers: CE_TYPE, query: {}, payload: event('harbor', 'scanning-completed-cloudevents-digest-only.json') };
    expect(report(harborSource.parse(ce, 'harbor', config)).consoleUrl).toMatch(/^https:\/\/harbor\.example\.com\/harbor\/projects\/7\/repositories\/api-gw\//);
    const nested = event('harbor', 'scanning-completed.json');
    nested.event_data.repository = { name: 'web/frontend', namespace: 'team-a', repo_full_name: 'team-a/web/frontend' };
    expect(report(harborSource.parse({ ...req, payload: nested }, 'harbor', config)).consoleUrl).toContain('/repositories/web%2Ffrontend/');
    expect(report(swrSource.parse(req, 'swr', { ...config, type: 'swr' })).consoleUrl).toBeUndefined();
  });
});

describe('registryScanOutcome', () => {
  const overview = (entry: Record<string, unknown>, key = VULN_REPORT) => ({ [key]: entry });

  it('maps Harbor severities onto the unified scale: Negligible is low, anything unknown is unknown, None is no finding', () => {
    const { outcome } = registryScanOutcome(
      'SCANNING_COMPLETED',
      overview({
        scan_status: 'Success',
        summary: { total: 9, summary: { Critical: 1, High: 1, Medium: 1, Low: 1, Negligible: 2, Unknown: 1, Weird: 1, None: 4 } },
      }),
    );
    expect(outcome).toEqual({ status: 'complete', report: { counts: { critical: 1, high: 1, medium: 1, low: 3, unknown: 2 }, total: 9, findings: [] } });
  });

  it('total is never below the counted findings', () => {
    const { outcome } = registryScanOutcome('SCANNING_COMPLETED', overview({ scan_status: 'Success', summary: { total: 1, summary: { High: 3 } } }));
    expect(outcome).toMatchObject({ report: { total: 3 } });
    const noTotal = registryScanOutcome('SCANNING_COMPLETED', overview({ summary: { summary: { Low: 2 } } }));
    expect(noTotal.outcome).toMatchObject({ status: 'complete', report: { total: 2 } });
  });

  it('prefers the current vulnerability report type over the older one, and reads the older one alone', () => {
    const both = {
      'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0': { scan_status: 'Success', summary: { total: 1, summary: { Low: 1 } } },
      [VULN_REPORT]: { scan_status: 'Success', summary: { total: 2, summary: { High: 2 } } },
    };
    expect(registryScanOutcome('SCANNING_COMPLETED', both).outcome).toMatchObject({ report: { counts: { high: 2, low: 0 } } });
    const old = {
      'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0': both['application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0'],
    };
    expect(registryScanOutcome('SCANNING_COMPLETED', old).outcome).toMatchObject({ report: { counts: { low: 1 } } });
  });

  it('a clean image with no summary but severity None is a clean report', () => {
    expect(registryScanOutcome('SCANNING_COMPLETED', overview({ scan_status: 'Success', severity: 'None' })).outcome).toMatchObject({
      status: 'complete',
      report: { total: 0 },
    });
  });

  it.each([
    ['no scan_overview', undefined, 'the registry reported the scan complete but sent no vulnerability summary (scan_overview)'],
    [
      'a Success without a summary',
      overview({ scan_status: 'Success', severity: 'High' }),
      'the registry reported the scan complete but sent no vulnerability summary (scan_overview)',
    ],
    ['a report still running', overview({ scan_status: 'Running' }), 'the registry reported the scan complete, but its status is Running'],
    ['a Stopped report', overview({ scan_status: 'Stopped', scanner: { name: 'Trivy' } }), "the registry's scanner (Trivy) reported status Stopped"],
  ])('SCANNING_COMPLETED with %s is a failure message, never silence', (_what, ov, reason) => {
    expect(registryScanOutcome('SCANNING_COMPLETED', ov).outcome).toEqual({ status: 'failed', reason });
  });

  it('SCANNING_FAILED without a scan overview still fails', () => {
    expect(registryScanOutcome('SCANNING_FAILED', undefined).outcome).toEqual({ status: 'failed', reason: "the registry's scanner reported a failed scan" });
  });

  it("Go's zero time is no time; a known start without an end gives only the start", () => {
    const zero = registryScanOutcome(
      'SCANNING_FAILED',
      overview({ scan_status: 'Error', start_time: '0001-01-01T00:00:00Z', end_time: '0001-01-01T00:00:00Z' }),
    );
    expect(zero).not.toHaveProperty('scanStartedAt');
    expect(zero).not.toHaveProperty('finishedAt');
    const started = registryScanOutcome('SCANNING_FAILED', overview({ scan_status: 'Error', start_time: '2026-11-22T06:25:50Z', end_time: 'garbage' }));
    expect(started).toMatchObject({ scanStartedAt: '2026-11-22T06:25:50.000Z' });
    expect(started).not.toHaveProperty('finishedAt');
  });
});

describe('Harbor payloads: bad input names the field', () => {
  const withResource = (resource: Record<string, unknown>) => push({ resources: [resource] });
  it.each([
    ['not an object', 'hello', 'expected object, received string'],
    ['no type', { event_data: push().event_data }, 'type: '],
    ['an empty type', { ...push(), type: '' }, 'type: '],
    ['no event_data', { type: 'PUSH_ARTIFACT' }, 'event_data: '],
    ['no resources', { ...push(), event_data: { repository: push().event_data.repository } }, 'event_data.resources: '],
    ['an empty resources list', push({ resources: [] }), 'event_data.resources: expected at least one resource'],
    ['a resource without a digest', withResource({ tag: 'v1' }), 'event_data.resources[0].digest: '],
    ['a malformed digest', withResource({ digest: 'sha256:abc', tag: 'v1' }), 'event_data.resources[0].digest: expected "sha256:" followed by 64 hex digits'],
    [
      'an upper-case digest',
      withResource({ digest: DIGEST.toUpperCase().replace('SHA256', 'sha256'), tag: 'v1' }),
      'event_data.resources[0].digest: expected "sha256:"',
    ],
    [
      'a tag that is no tag',
      withResource({ digest: DIGEST, tag: 'v1 beta' }),
      'event_data.resources[0].tag: expected a tag, or the digest of an untagged artifact',
    ],
    ['a tag that is a short digest', withResource({ digest: DIGEST, tag: 'sha256:abc' }), 'event_data.resources[0].tag: expected a tag'],
    ['a numeric tag', withResource({ digest: DIGEST, tag: 1 }), 'event_data.resources[0].tag: '],
    ['no repository', { ...push(), event_data: { resources: push().event_data.resources } }, 'event_data.repository: '],
    [
      'a repository without project',
      push({ repository: { name: 'api' } }),
      'event_data.repository.namespace: expected the project name (or a repo_full_name "project/repository")',
    ],
    ['a repository without a name', push({ repository: { namespace: 'team-a' } }), 'event_data.repository.name: expected the repository name'],
    ['a repo_full_name without a slash', push({ repository: { repo_full_name: 'api' } }), 'event_data.repository.namespace: expected the project name'],
  ])('%s', (_what, payload, message) => {
    expect(problem(payload)).toContain(message);
  });

  it('the second resource is named by its index', () => {
    expect(
      problem(
        push({
          resources: [
            { digest: DIGEST, tag: 'v1' },
            { digest: 'sha256:1', tag: 'v2' },
          ],
        }),
      ),
    ).toMatch(/^event_data\.resources\[1\]\.digest: /);
  });

  it('a CloudEvent names its data field', () => {
    const ce = event('harbor', 'push-cloudevents.json');
    ce.data.resources[0].digest = 'md5:1';
    expect(problem(ce, CE_TYPE)).toContain('data.resources[0].digest: expected "sha256:"');
    delete ce.data;
    expect(problem(ce, CE_TYPE)).toMatch(/^data: /);
  });

  it('a CloudEvents content type with a default-format body names the missing specversion', () => {
    expect(problem(push(), CE_TYPE)).toMatch(/^specversion: /);
  });

  it('the scan overview of a scan result is checked too', () => {
    const bad = event('harbor', 'scanning-completed.json');
    bad.event_data.resources[0].scan_overview[VULN_REPORT].summary.summary.High = -1;
    expect(problem(bad)).toContain(`event_data.resources[0].scan_overview.${VULN_REPORT}.summary.summary.High: `);
  });

  it('an ignored event type needs no event_data at all', () => {
    expect(parse({ type: 'QUOTA_WARNING', occur_at: 1 })).toEqual({ pushes: [], ignored: [{ event: 'QUOTA_WARNING', reason: 'not a push or scan result' }] });
  });
});
