import { randomUUID } from 'node:crypto';
import { SWR_REPORT_MIME } from '../../shared/vendors/huawei/swr.js';
import { generationOf, simFindings } from './findings.js';
import {
  type AuthMethod,
  apigError,
  createFaultInjector,
  createHuaweiVerifier,
  faultsFor,
  notFoundApi,
  routeSegments,
  type SimKeys,
  type TokenBook,
} from './huaweiApig.js';
import { type SimRequest, type SimResponse, startSimServer } from './server.js';

/**
 * A simulator of the SWR Enterprise Edition scan APIs (https://support.huaweicloud.com/intl/en-us/api-swr2/swr_03_1501.html) on 127.0.0.1. Every request must carry a valid
 * AK/SK signature or IAM token (checked as APIG does); the artifact paths are parsed as the gateway routes them, so a
 * repository name with `/` must arrive as `%252F`. A scan finishes after a few artifact reads. The repository name
 * (`namespace/name`) picks a behaviour: `*clean*` no findings · `*broken*` the scan ends in Error · `*slow*` never
 * finishes · `*legacy*` an instance older than v25.7.20 (the scan APIs answer 404) · `*missing*` no such artifact ·
 * `*denied*` 403 · `*throttled*` / `*flaky*` the first two calls get 429 APIG.0308 / 503 · `*expired*` the first token
 * used for it expires · `*delta*` each image's findings depend on its digest (see findings.ts).
 * Like the registry it lists a repository's artifacts with their tags (ListInstanceArtifacts): those `pushArtifact`
 * put there, and, untagged, any artifact a scan was started for; and the instance's repositories (ListInstanceRepositories).
 */
export interface SwrBehaviour {
  /** Artifact reads answered Pending/Running before the final status. */
  scanChecks: number;
  outcome: 'findings' | 'clean' | 'failed' | 'never';
  oldInstance: boolean;
  missing: boolean;
  deny: boolean;
  /** Instead of the usual 11 findings: this many, spread over Harbor's five levels. */
  findings?: number;
  longNames?: boolean;
  /** Calls of these operations answer 429 APIG.0308 (throttled), however often they are retried. */
  throttle?: string[];
}

export interface SwrCall {
  operation: string;
  method: string;
  /** The path as it arrived, still encoded. */
  rawPath: string;
  repository?: string;
  digest?: string;
  auth: AuthMethod;
  status: number;
  at: number;
}

const behaviourFor = (name: string, defaults: Partial<SwrBehaviour>): SwrBehaviour => ({
  scanChecks: 2,
  outcome: /clean/.test(name) ? 'clean' : /broken/.test(name) ? 'failed' : /slow/.test(name) ? 'never' : 'findings',
  oldInstance: /legacy/.test(name),
  missing: /missing/.test(name),
  deny: /denied/.test(name),
  ...defaults,
});

/** Findings of the `findings` outcome per Harbor level. */
const FINDINGS: [string, number][] = [
  ['Critical', 1],
  ['High', 2],
  ['Medium', 3],
  ['Low', 4],
  ['Unknown', 1],
];
const PACKAGES = ['openssl', 'glibc', 'zlib', 'curl', 'libxml2'];

const LEVELS = FINDINGS.map(([level]) => level);

const vulnerabilities = (repository: string, digest: string, b: SwrBehaviour) => {
  if (b.outcome === 'clean') return [];
  const generation = generationOf(repository, digest);
  if (b.findings !== undefined) {
    return simFindings(b.findings, LEVELS.length, generation, { longNames: b.longNames ?? false }).map((f) => ({
      id: f.id,
      package: f.pkg,
      version: f.version,
      fix_version: f.fixed ?? '',
      severity: LEVELS[f.level],
      description: `${f.pkg} flaw`,
      links: [`https://nvd.nist.gov/vuln/detail/${f.id}`],
      artifact_digests: [digest],
    }));
  }
  return usualVulnerabilities(digest, generation);
};

const usualVulnerabilities = (digest: string, generation: number) =>
  FINDINGS.flatMap(([severity, n], level) =>
    Array.from({ length: n }, (_, k) => k + generation).map((i) => ({
      id: `CVE-2025-${(level + 1) * 100 + i}`,
      package: PACKAGES[(level + i) % PACKAGES.length],
      version: `3.${level}.${i}`,
      fix_version: i % 2 === 0 ? `3.${level}.${i + 1}` : '',
      severity,
      description: `${PACKAGES[(level + i) % PACKAGES.length]} flaw`,
      links: [`https://nvd.nist.gov/vuln/detail/CVE-2025-${(level + 1) * 100 + i}`],
      artifact_digests: [digest],
      cwe_ids: ['CWE-787'],
      preferred_cvss: { score_v3: 9.8 - level * 2, vector_v3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    })),
  );

const notFound = (what: string) => apigError(404, 'SWR.EE.4040001', `${what} not found`);

export const startSwrSimulator = async (opts: { tokens: TokenBook; keys?: SimKeys[]; port?: number; defaults?: Partial<SwrBehaviour> }) => {
  const verifier = createHuaweiVerifier({ tokens: opts.tokens, ...(opts.keys ? { keys: opts.keys } : {}) });
  const injectFault = createFaultInjector(opts.tokens);
  const calls: SwrCall[] = [];
  const scans = new Map<string, { checks: number; startedAt: number; endedAt?: number }>();
  const overrides = new Map<string, Partial<SwrBehaviour>>();
  /** repository → digest → its tags and push time. */
  const registry = new Map<string, Map<string, { tags: { name: string; at: number }[]; at: number }>>();

  const artifactsOf = (repository: string) => {
    let artifacts = registry.get(repository);
    if (!artifacts) {
      artifacts = new Map();
      registry.set(repository, artifacts);
    }
    return artifacts;
  };
  const pushArtifact = (repository: string, digest: string, tag?: string, at = Date.now(), opts: { scanned?: boolean } = {}) => {
    // A scan that finished when the artifact was pushed: Success at the first read, ended then.
    if (opts.scanned) scans.set(`${repository}@${digest}`, { checks: Number.MAX_SAFE_INTEGER - 1, startedAt: at, endedAt: at });
    const artifact = artifactsOf(repository).get(digest) ?? { tags: [], at };
    if (tag) artifact.tags = [...artifact.tags.filter((t) => t.name !== tag), { name: tag, at }];
    artifact.at = Math.max(artifact.at, at);
    artifactsOf(repository).set(digest, artifact);
    // A tag points at one artifact: pushing it again moves it.
    if (tag) for (const [other, a] of artifactsOf(repository)) if (other !== digest) a.tags = a.tags.filter((t) => t.name !== tag);
  };

  const artifact = (repository: string, digest: string, behaviour: SwrBehaviour, withOverview: boolean) => {
    const scan = scans.get(`${repository}@${digest}`);
    const body: Record<string, unknown> = {
      id: 42,
      digest,
      repository_name: repository,
      type: 'IMAGE',
      media_type: 'application/vnd.docker.container.image.v1+json',
      manifest_media_type: 'application/vnd.docker.distribution.manifest.v2+json',
      push_time: new Date().toISOString(),
      size: 31_457_280,
      tags: [{ id: 7, name: '1.0.0', repository_id: 3, artifact_id: 42, push_time: new Date().toISOString() }],
    };
    if (!withOverview || !scan) return body;
    scan.checks++;
    const done = behaviour.outcome !== 'never' && scan.checks > behaviour.scanChecks;
    const clean = behaviour.outcome === 'clean';
    const status = done ? (behaviour.outcome === 'failed' ? 'Error' : 'Success') : scan.checks === 1 ? 'Pending' : 'Running';
    const found = vulnerabilities(repository, digest, behaviour);
    const summary = Object.fromEntries(LEVELS.map((level) => [level, found.filter((v) => v.severity === level).length]));
    body.scan_overview = {
      [SWR_REPORT_MIME]: {
        report_id: randomUUID(),
        scan_status: status,
        severity: status === 'Success' ? (clean ? 'None' : 'Critical') : '',
        duration: Math.round((Date.now() - scan.startedAt) / 1000),
        start_time: new Date(scan.startedAt).toISOString(),
        end_time: done ? new Date(scan.endedAt ?? Date.now()).toISOString() : '',
        complete_percent: done ? 100 : Math.min(90, Math.round((scan.checks / (behaviour.scanChecks + 1)) * 100)),
        scanner: { name: 'Trivy', vendor: 'Aqua Security', version: 'v0.58.1' },
        ...(status === 'Success' ? { summary: { total: found.length, fixable: found.filter((v) => v.fix_version).length, summary } } : {}),
      },
    };
    return body;
  };

  /** Offset paging as documented: `limit` at most 100, `offset` a multiple of it. */
  const listArtifacts = (req: SimRequest, repository: string): SimResponse => {
    const limit = Number(req.url.searchParams.get('limit') ?? 10);
    const offset = Number(req.url.searchParams.get('offset') ?? 0);
    if (!(limit >= 1 && limit <= 100) || offset % limit !== 0) return apigError(400, 'SWR.EE.4000002', 'offset must be a multiple of limit, limit 1 to 100');
    const like = req.url.searchParams.get('tags');
    const all = [...artifactsOf(repository)]
      .filter(([, a]) => !like || a.tags.some((t) => t.name.includes(like)))
      .map(([digest, a], i) => ({
        id: i + 1,
        digest,
        repository_name: repository,
        type: 'IMAGE',
        push_time: new Date(a.at).toISOString(),
        tags: a.tags.map((t, j) => ({ id: j + 1, name: t.name, artifact_id: i + 1, push_time: new Date(t.at).toISOString() })),
      }));
    return { status: 200, body: { artifacts: all.slice(offset, offset + limit), total: all.length } };
  };

  /** ListInstanceRepositories: every repository the registry holds, offset paging as ListInstanceArtifacts. */
  const listRepositories = (req: SimRequest): SimResponse => {
    const limit = Number(req.url.searchParams.get('limit') ?? 10);
    const offset = Number(req.url.searchParams.get('offset') ?? 0);
    if (!(limit >= 1 && limit <= 100) || offset % limit !== 0) return apigError(400, 'SWR.EE.4000002', 'offset must be a multiple of limit, limit 1 to 100');
    const all = [...registry.keys()].sort().map((full, i) => {
      const [namespace = '', ...rest] = full.split('/');
      return { id: i + 1, name: rest.join('/'), namespace_name: namespace, namespace_id: 1, artifact_count: registry.get(full)?.size ?? 0 };
    });
    return { status: 200, body: { repositories: all.slice(offset, offset + limit), total: all.length } };
  };

  const handle = (req: SimRequest): { res: SimResponse; call: Omit<SwrCall, 'status' | 'auth' | 'at'> } => {
    const rawPath = req.url.pathname;
    const seg = routeSegments(req);
    // v2/{project}/instances/{instance}/repositories
    if (seg[0] === 'v2' && seg[2] === 'instances' && seg[4] === 'repositories' && seg.length === 5 && req.method === 'GET') {
      const call = { operation: 'ListInstanceRepositories', method: req.method, rawPath };
      const auth = verifier.verify(req, seg[1]!);
      return { res: auth.rejected ?? listRepositories(req), call };
    }
    // v2/{project}/instances/{instance}/namespaces/{ns}/repositories/{repo}/artifacts/{digest}[/scan|/vulnerabilities]
    const shaped =
      seg[0] === 'v2' &&
      seg[2] === 'instances' &&
      seg[4] === 'namespaces' &&
      seg[6] === 'repositories' &&
      seg[8] === 'artifacts' &&
      seg.length >= 9 &&
      seg.length <= 11;
    const tail = seg[10];
    const operation = !shaped
      ? 'unknown'
      : seg.length === 9
        ? req.method === 'GET'
          ? 'ListInstanceArtifacts'
          : 'unknown'
        : tail === 'scan' && req.method === 'POST'
          ? 'StartManualScanning'
          : tail === 'vulnerabilities' && req.method === 'GET'
            ? 'ListInstanceArtifactVulnerabilities'
            : tail === undefined && req.method === 'GET'
              ? 'ShowInstanceArtifact'
              : 'unknown';
    if (operation === 'unknown') return { res: notFoundApi(), call: { operation, method: req.method, rawPath } };
    const projectId = seg[1]!;
    // The service decodes its path parameter once more: `team%2Fapi` → `team/api`.
    const repository = `${seg[5]}/${decodeURIComponent(seg[7]!)}`;
    const digest = seg[9] ?? '';
    const call = { operation, method: req.method, rawPath, repository, ...(digest ? { digest } : {}) };

    const auth = verifier.verify(req, projectId);
    if (auth.rejected) return { res: auth.rejected, call };
    const behaviour = behaviourFor(repository, { ...opts.defaults, ...overrides.get(repository) });
    const fault = injectFault(repository, faultsFor(repository), req.headers['x-auth-token']);
    if (fault) return { res: fault, call };
    if (behaviour.throttle?.includes(operation)) {
      return { res: apigError(429, 'APIG.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second'), call };
    }
    if (operation === 'ListInstanceArtifacts') return { res: listArtifacts(req, repository), call };
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return { res: apigError(400, 'SWR.EE.4000001', 'reference must be an artifact digest'), call };
    if (behaviour.missing) return { res: notFound(`artifact ${repository}@${digest}`), call };
    if (behaviour.oldInstance && operation !== 'ShowInstanceArtifact') return { res: notFound('resource'), call };
    if (behaviour.deny) {
      return {
        res: apigError(403, 'SWR.EE.4030001', "Policy doesn't allow swr:repository:startManualScanning to be performed.", {
          encoded_authorization_message: 'ZW5jb2RlZA',
        }),
        call,
      };
    }
    switch (operation) {
      case 'StartManualScanning':
        scans.set(`${repository}@${digest}`, { checks: 0, startedAt: Date.now() });
        if (!artifactsOf(repository).has(digest)) pushArtifact(repository, digest);
        return { res: { status: 202, body: '' }, call };
      case 'ShowInstanceArtifact':
        return { res: { status: 200, body: artifact(repository, digest, behaviour, req.url.searchParams.get('with_scan_overview') === 'true') }, call };
      default: {
        const findings = vulnerabilities(repository, digest, behaviour);
        return {
          res: {
            status: 200,
            body: {
              [SWR_REPORT_MIME]: {
                generated_at: new Date().toISOString(),
                severity: findings.length ? 'Critical' : 'None',
                scanner: { name: 'Trivy', vendor: 'Aqua Security', version: 'v0.58.1' },
                vulnerabilities: findings,
              },
            },
          },
          call,
        };
      }
    }
  };

  const server = await startSimServer((req) => {
    const { res, call } = handle(req);
    calls.push({ ...call, auth: req.headers['x-auth-token'] ? 'token' : 'aksk', status: res.status, at: Date.now() });
    return res;
  }, opts.port);

  return {
    url: server.url,
    calls,
    verifier,
    /** Calls of one operation, e.g. to count status checks. */
    count: (operation: string) => calls.filter((c) => c.operation === operation).length,
    /** Calls for one repository (`namespace/name`). */
    callsFor: (repository: string) => calls.filter((c) => c.repository === repository),
    setBehaviour: (repository: string, behaviour: Partial<SwrBehaviour>) => overrides.set(repository, behaviour),
    /** What the registry holds: `tag` of `namespace/name` is `digest`, pushed at `at` (ms), and with `scanned` its scan done then. */
    pushArtifact,
    close: server.close,
  };
};
export type SwrSimulator = Awaited<ReturnType<typeof startSwrSimulator>>;
