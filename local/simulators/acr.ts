import { createHash, randomUUID } from 'node:crypto';
import { scanCompletedEvent } from './acrEvents.js';
import { ALIBABA_SIM_CREDENTIALS, alibabaError as error, type RpcSimCall, startRpcSimServer } from './acs3Verifier.js';
import { generationOf, simFindings } from './findings.js';
import type { SimResponse } from './server.js';

/**
 * A simulator of the ACR Enterprise Edition API (2018-12-01) on 127.0.0.1: it checks the ACS3-HMAC-SHA256
 * signature of every request as the real API does, answers in the real API's shapes, and finishes a scan after
 * a few status checks. Repository names pick a behaviour, so a push from the command line can show each case:
 * `*clean*` no findings · `*broken*` the scan fails · `*slow*` never finishes · `*denied*` NoPrivilege ·
 * `*throttled*` the first two calls of each action are throttled · `*flaky*` the first two calls of each action get 503 ·
 * `*emoji*` 1 024 findings whose text carries emoji, CJK, control characters and an unpaired surrogate ·
 * `*delta*` each image's findings depend on its digest (see findings.ts) · `*autoscan*` the instance scans every push
 * itself (automatic scan on push): a tag's status is COMPLETE with no scan task started · `*aging*` every scan of a tag
 * after its first finds one more High finding (a newly published advisory: what a sweep's re-scan reports).
 * Like ACR it knows a repository's tags (ListRepoTag, GetRepoTag): each tag a scan was started for, with its digest and
 * the time, or one set with `pushTag`; and the instance's repositories (ListRepository): each one named so far.
 * `finishScan` ends a scan and gives the `cr:Artifact:ScanCompleted` event EventBridge would deliver for it.
 * `publishAdvisory` gives every image of a repository one more finding from then on, as a newly published CVE does.
 */
export interface AcrBehaviour {
  /** Status checks answered SCANNING before COMPLETE. */
  scanChecks: number;
  /** Instead of `scanChecks`: the scan runs this long, and its status says COMPLETE from then on. */
  scanSeconds?: number;
  outcome: 'findings' | 'clean' | 'failed' | 'never';
  deny: boolean;
  /** GetRepository answers NoPrivilege too (a RAM policy without `cr:GetRepository`). */
  denyGetRepository: boolean;
  /** Calls per action answered with this error first. */
  failFirst: number;
  failWith: 'throttle' | 'unavailable';
  /** Only these actions fail first (default: every action). */
  failActions?: string[];
  /** Instead of the usual 16: this many findings, spread over the four levels. */
  findings?: number;
  /** Findings with 300-character package names. */
  longNames?: boolean;
  /** The instance scans on push: a tag without a scan task has a completed one. */
  autoScan: boolean;
  /** ListRepoTag answers NoPrivilege (a RAM policy without `cr:ListRepoTag`). */
  denyList?: boolean;
}

export type AcrCall = RpcSimCall;

interface AcrScan {
  checks: number;
  service: string;
  createdAt: number;
  /** Finished by `finishScan`, whatever its checks or time. */
  finished?: boolean;
}
const scanEnd = (scan: AcrScan, seconds: number) => scan.createdAt + seconds * 1000;

export const ACR_SIM_CREDENTIALS = ALIBABA_SIM_CREDENTIALS;

/** The id GetRepository answers for `namespace/name`: the same in every run, so the Security Center simulator can check it. */
export const acrSimRepoId = (namespace: string, name: string): string =>
  `crr-${createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 16)}`;

const behaviourFor = (repo: string, defaults: Partial<AcrBehaviour>): AcrBehaviour => ({
  scanChecks: 2,
  outcome: /clean/.test(repo) ? 'clean' : /broken/.test(repo) ? 'failed' : /slow/.test(repo) ? 'never' : 'findings',
  deny: /denied/.test(repo),
  denyGetRepository: false,
  failFirst: /throttled|flaky/.test(repo) ? 2 : 0,
  failWith: /flaky/.test(repo) ? 'unavailable' : 'throttle',
  autoScan: /autoscan/.test(repo),
  ...defaults,
});

const PACKAGES = ['openssl', 'glibc', 'zlib', 'curl', 'libxml2', 'busybox', 'ncurses', 'expat'];
const LEVELS = ['High', 'Medium', 'Low', 'Unknown'] as const;
/** Findings of the `findings` outcome: 3 High, 5 Medium, 7 Low, 1 Unknown. */
const FINDINGS_PER_LEVEL: Record<(typeof LEVELS)[number], number> = { High: 3, Medium: 5, Low: 7, Unknown: 1 };

/** The findings of one image of the repository, by level: the usual ones, or `findings` generated ones. */
const vulnerabilitiesOf = (repo: string, digest: string, b: AcrBehaviour, levels: readonly (typeof LEVELS)[number][] = LEVELS) => {
  if (b.outcome === 'clean') return [];
  const generation = generationOf(repo, digest);
  if (b.findings !== undefined) {
    return simFindings(b.findings, LEVELS.length, generation, { longNames: b.longNames ?? false })
      .filter((f) => levels.includes(LEVELS[f.level]!))
      .map((f) => ({
        Severity: LEVELS[f.level]!,
        CveName: f.id,
        Feature: f.pkg,
        Version: f.version,
        VersionFixed: f.fixed ?? '',
        FixCmd: '',
        CveLink: `https://avd.aliyun.com/detail?id=AVD-${f.id}`,
        Description: `${f.pkg} issue`,
        ScanType: 'cve',
      }));
  }
  const scale = /emoji/.test(repo) ? EXOTIC_SCALE : 1;
  const make = /emoji/.test(repo) ? exoticVulnerability : vulnerability;
  return levels.flatMap((l) => Array.from({ length: FINDINGS_PER_LEVEL[l] * scale }, (_, i) => make(l, i + generation)));
};

const vulnerability = (level: (typeof LEVELS)[number], i: number) => {
  const pkg = PACKAGES[i % PACKAGES.length]!;
  const id = `CVE-2024-${(LEVELS.indexOf(level) + 1) * 1000 + i}`;
  return {
    Severity: level,
    CveName: id,
    Feature: pkg,
    Version: `1.${i}.0`,
    VersionFixed: i % 3 === 2 ? '' : `1.${i}.1`,
    FixCmd: `apk upgrade ${pkg}`,
    CveLink: `https://avd.aliyun.com/detail?id=AVD-${id}`,
    Description: `${pkg} issue`,
    ScanType: 'cve',
  };
};

/** `*emoji*` repositories: 64 times the findings, their text full of emoji, CJK, control characters and an unpaired surrogate. */
const EXOTIC_SCALE = 64;
const exoticVulnerability = (level: (typeof LEVELS)[number], i: number) => {
  const v = vulnerability(level, i);
  return {
    ...v,
    Feature: `📦${v.Feature}-组件\u0007${i % 7 === 0 ? '\ud83d' : ''}`,
    Description: `🔥 漏洞 ${v.Description}\u0000`,
    FixCmd: `${v.FixCmd} # 升级 🚀`,
  };
};

export const startAcrSimulator = async (opts: { port?: number; defaults?: Partial<AcrBehaviour>; credentials?: typeof ACR_SIM_CREDENTIALS } = {}) => {
  const creds = opts.credentials ?? ACR_SIM_CREDENTIALS;
  const failures = new Map<string, number>();
  const repos = new Map<string, string>(); // repoId → namespace/name
  const scans = new Map<string, AcrScan>(); // repoId:tag → status checks so far, engine, start, finished
  const tags = new Map<string, Map<string, { digest: string; at: number }>>(); // repoId → tag → its digest, push time
  const overrides = new Map<string, Partial<AcrBehaviour>>();
  // namespace/name → findings published since (in one tag's image only, where `tag` says)
  const advisories = new Map<string, (ReturnType<typeof vulnerability> & { publishedAt: number; tag?: string })[]>();

  const tagsOf = (repoId: string) => {
    let repoTags = tags.get(repoId);
    if (!repoTags) {
      repoTags = new Map();
      tags.set(repoId, repoTags);
    }
    return repoTags;
  };
  /** The digest a call names, else the one its tag points at (bare hex). */
  const digestOf = (p: Record<string, string>) => (p.Digest ?? tags.get(p.RepoId ?? '')?.get(p.Tag ?? '')?.digest ?? '').replace(/^sha256:/, '');
  const tagEntry = (tag: string, t: { digest: string; at: number }) => ({
    Tag: tag,
    Digest: t.digest,
    ImageId: t.digest.slice(0, 64),
    ImageSize: 27_107_966,
    ImageCreate: String(t.at),
    ImageUpdate: String(t.at),
    Status: 'NORMAL',
  });

  /** A repository id never resolved here (an event's RepoId) stands for its name, so its behaviour can be picked by it. */
  const repoNameOf = (repoId: string) => repos.get(repoId) ?? repoId;
  const repoBehaviour = (repoId: string) => {
    const name = repoNameOf(repoId);
    return behaviourFor(name, { ...opts.defaults, ...overrides.get(name) });
  };

  /**
   * An image's findings as its scan (`repoId:tag`) found them: its repository's usual ones, and those published before
   * that scan started (with the `findings` outcome).
   */
  const findingsOf = (repo: string, p: Record<string, string>, b: AcrBehaviour, levels: readonly (typeof LEVELS)[number][] = LEVELS) => {
    const scannedAt = scans.get(`${p.RepoId}:${p.Tag}`)?.createdAt ?? Date.now();
    const published = b.outcome === 'clean' ? [] : (advisories.get(repo) ?? []).filter((v) => v.publishedAt <= scannedAt && (!v.tag || v.tag === p.Tag));
    return [
      ...published.filter((v) => levels.includes(v.Severity as (typeof LEVELS)[number])).map(({ publishedAt: _, tag: __, ...v }) => v),
      ...vulnerabilitiesOf(repo, digestOf(p), b, levels),
    ];
  };

  const publish = (repo: string, id: string, pkg = 'openssl', tag?: string) =>
    advisories.set(repo, [
      ...(advisories.get(repo) ?? []),
      {
        ...vulnerability('High', 0),
        CveName: id,
        Feature: pkg,
        CveLink: `https://avd.aliyun.com/detail?id=AVD-${id}`,
        publishedAt: Date.now(),
        ...(tag ? { tag } : {}),
      },
    ]);

  const handle = (action: string, p: Record<string, string>): SimResponse => {
    const ok = (body: Record<string, unknown>): SimResponse => ({ status: 200, body: { ...body, Code: 'success', IsSuccess: true, RequestId: randomUUID() } });
    const repoName = action === 'GetRepository' ? `${p.RepoNamespaceName}/${p.RepoName}` : repoNameOf(p.RepoId ?? '');
    const behaviour = behaviourFor(repoName, { ...opts.defaults, ...overrides.get(repoName) });
    const failKey = `${repoName}|${action}`;
    const failedSoFar = failures.get(failKey) ?? 0;
    if (failedSoFar < behaviour.failFirst && (!behaviour.failActions || behaviour.failActions.includes(action))) {
      failures.set(failKey, failedSoFar + 1);
      return behaviour.failWith === 'throttle'
        ? error(400, 'Throttling.User', 'Request was denied due to user flow control.')
        : error(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    }
    if (!p.InstanceId) return error(400, 'MissingInstanceId', 'InstanceId is mandatory for this action.');
    switch (action) {
      case 'GetRepository': {
        if (!p.RepoNamespaceName || !p.RepoName) return error(400, 'MissingParameter', 'RepoNamespaceName and RepoName are mandatory.');
        if (behaviour.denyGetRepository) return error(403, 'NoPrivilege', 'Access denied for this user.');
        const repoId = acrSimRepoId(p.RepoNamespaceName, p.RepoName);
        repos.set(repoId, repoName);
        return ok({
          RepoId: repoId,
          RepoNamespaceName: p.RepoNamespaceName,
          RepoName: p.RepoName,
          InstanceId: p.InstanceId,
          RepoStatus: 'NORMAL',
          RepoType: 'PRIVATE',
        });
      }
      case 'CreateRepoTagScanTask': {
        if (!p.RepoId || !p.Tag) return error(400, 'MissingParameter', 'RepoId and Tag are mandatory.');
        if (behaviour.deny) return error(403, 'NoPrivilege', 'Access denied for this user.');
        if (p.ScanService && !['ACR_SCAN_SERVICE', 'SAS_SCAN_SERVICE'].includes(p.ScanService))
          return error(400, 'InvalidParameter', `ScanService ${p.ScanService} is not supported.`);
        // `*aging*`: an advisory is published before every scan after the first, so each re-scan finds one more.
        if (/aging/.test(repoName) && scans.has(`${p.RepoId}:${p.Tag}`))
          publish(repoName, `CVE-2031-${String(10_000 + (advisories.get(repoName)?.length ?? 0))}`);
        scans.set(`${p.RepoId}:${p.Tag}`, { checks: 0, service: p.ScanService ?? 'ACR_SCAN_SERVICE', createdAt: Date.now() });
        if (p.Digest) tagsOf(p.RepoId).set(p.Tag, { digest: p.Digest.replace(/^sha256:/, ''), at: Date.now() });
        return ok({});
      }
      case 'GetRepoTagScanStatus': {
        const key = `${p.RepoId}:${p.Tag}`;
        if (!scans.has(key) && behaviour.autoScan) scans.set(key, { checks: 0, service: 'ACR_SCAN_SERVICE', createdAt: Date.now(), finished: true });
        const scan = scans.get(key);
        if (!scan) return error(404, 'SCAN_TASK_NOT_EXIST', 'scan task not exist');
        scan.checks++;
        const b = repoBehaviour(p.RepoId ?? '');
        const ended = b.scanSeconds === undefined ? scan.checks > b.scanChecks : Date.now() >= scanEnd(scan, b.scanSeconds);
        const done = b.outcome !== 'never' && (scan.finished === true || ended);
        return ok({
          Status: done ? (b.outcome === 'failed' ? 'FAILED' : 'COMPLETE') : scan.checks % 2 === 0 ? 'RETRYING' : 'SCANNING',
          ScanService: scan.service,
        });
      }
      case 'GetRepoTagScanSummary': {
        const all = findingsOf(repoName, p, repoBehaviour(p.RepoId ?? ''));
        const n = (level: (typeof LEVELS)[number]) => all.filter((v) => v.Severity === level).length;
        return ok({
          TotalSeverity: all.length,
          HighSeverity: n('High'),
          MediumSeverity: n('Medium'),
          LowSeverity: n('Low'),
          UnknownSeverity: n('Unknown'),
        });
      }
      case 'ListRepoTagScanResult': {
        const levels = p.Severity ? LEVELS.filter((l) => l === p.Severity) : LEVELS;
        const all = findingsOf(repoName, p, repoBehaviour(p.RepoId ?? ''), levels);
        // ACR documents no largest page: 100 here, as ListRepoTag's.
        const pageSize = Math.min(Number(p.PageSize ?? 30), 100);
        const pageNo = Number(p.PageNo ?? 1);
        return ok({ TotalCount: all.length, PageNo: pageNo, PageSize: pageSize, Vulnerabilities: all.slice((pageNo - 1) * pageSize, pageNo * pageSize) });
      }
      case 'ListRepository': {
        const pageSize = Number(p.PageSize ?? 30);
        if (!(pageSize >= 1 && pageSize <= 100)) return error(400, 'InvalidParameter', 'PageSize must be 1 to 100.');
        const pageNo = Number(p.PageNo ?? 1);
        const all = [...repos]
          .sort(([, a], [, b]) => a.localeCompare(b))
          .map(([repoId, name]) => {
            const [namespace = '', ...rest] = name.split('/');
            return {
              RepoId: repoId,
              RepoNamespaceName: namespace,
              RepoName: rest.join('/'),
              InstanceId: p.InstanceId,
              RepoStatus: 'NORMAL',
              RepoType: 'PRIVATE',
            };
          });
        return ok({ TotalCount: String(all.length), PageNo: pageNo, PageSize: pageSize, Repositories: all.slice((pageNo - 1) * pageSize, pageNo * pageSize) });
      }
      case 'ListRepoTag': {
        if (!p.RepoId) return error(400, 'MissingParameter', 'RepoId is mandatory.');
        if (behaviour.denyList) return error(403, 'NoPrivilege', 'Access denied for this user.');
        const pageSize = Number(p.PageSize ?? 30);
        if (!(pageSize >= 1 && pageSize <= 100)) return error(400, 'InvalidParameter', 'PageSize must be 1 to 100.');
        const pageNo = Number(p.PageNo ?? 1);
        const all = [...(tags.get(p.RepoId) ?? new Map())].map(([tag, t]) => tagEntry(tag, t));
        return ok({ TotalCount: String(all.length), PageNo: pageNo, PageSize: pageSize, Images: all.slice((pageNo - 1) * pageSize, pageNo * pageSize) });
      }
      case 'GetRepoTag': {
        const t = tags.get(p.RepoId ?? '')?.get(p.Tag ?? '');
        if (!t) return error(404, 'TAG_NOT_EXIST', 'tag not exist');
        return ok({ ...tagEntry(p.Tag!, t), ImageCreate: t.at, ImageUpdate: t.at });
      }
      default:
        return error(404, 'InvalidAction.NotFound', `Specified api ${action} is not found.`);
    }
  };

  const server = await startRpcSimServer(creds, handle, opts.port);

  return {
    ...server,
    /** Sets a repository's behaviour (by `namespace/name`) beyond what its name implies. */
    setBehaviour: (repoFullName: string, behaviour: Partial<AcrBehaviour>) => overrides.set(repoFullName, behaviour),
    /** When the scan of `namespace/name:tag` ends (ms since the epoch), for a repository with `scanSeconds`. */
    scanEndsAt: (repoFullName: string, tag: string): number | undefined => {
      const [namespace = '', ...rest] = repoFullName.split('/');
      const scan = scans.get(`${acrSimRepoId(namespace, rest.join('/'))}:${tag}`);
      const seconds = overrides.get(repoFullName)?.scanSeconds;
      return scan && seconds !== undefined ? scanEnd(scan, seconds) : undefined;
    },
    /** Every scan of `namespace/name` (of its `tag` only, if given) that starts from now on finds one more High finding, `id` in package `pkg`. */
    publishAdvisory: (repoFullName: string, id: string, opts: { pkg?: string; tag?: string } = {}) => publish(repoFullName, id, opts.pkg, opts.tag),
    /** A tag pushed to `namespace/name` without a scan, `at` ms since the epoch. */
    pushTag: (repoFullName: string, tag: string, digest: string, at = Date.now(), opts: { scanned?: boolean } = {}) => {
      const [namespace = '', ...rest] = repoFullName.split('/');
      const repoId = acrSimRepoId(namespace, rest.join('/'));
      repos.set(repoId, repoFullName);
      tagsOf(repoId).set(tag, { digest: digest.replace(/^sha256:/, ''), at });
      // A scan finished long ago: its status is COMPLETE at the first check.
      if (opts.scanned) scans.set(`${repoId}:${tag}`, { checks: Number.MAX_SAFE_INTEGER - 1, service: 'ACR_SCAN_SERVICE', createdAt: at });
    },
    /**
     * Ends the scan of `namespace/name:tag` (started by a CreateRepoTagScanTask, or the instance's own scan on push of
     * a tag set with `pushTag`) and gives the ScanCompleted event for it, as EventBridge would deliver it.
     */
    finishScan: (repoFullName: string, tag: string, where: { instanceId: string; region: string }) => {
      const [namespace = '', ...rest] = repoFullName.split('/');
      const repoId = acrSimRepoId(namespace, rest.join('/'));
      repos.set(repoId, repoFullName);
      const digest = tags.get(repoId)?.get(tag)?.digest;
      if (!digest) throw new Error(`the ACR simulator knows no digest of ${repoFullName}:${tag}`);
      const scan = scans.get(`${repoId}:${tag}`) ?? { checks: 0, service: 'ACR_SCAN_SERVICE', createdAt: Date.now() };
      scans.set(`${repoId}:${tag}`, { ...scan, finished: true });
      const b = repoBehaviour(repoId);
      const found = vulnerabilitiesOf(repoFullName, digest, b);
      const n = (level: (typeof LEVELS)[number]) => found.filter((v) => v.Severity === level).length;
      const image = { ...where, namespace, repository: rest.join('/'), repoId, tag, digest: `sha256:${digest}` };
      return scanCompletedEvent(image, {
        status: b.outcome === 'failed' ? 'FAILED' : 'COMPLETE',
        high: n('High'),
        medium: n('Medium'),
        low: n('Low'),
        unknown: n('Unknown'),
      });
    },
  };
};
export type AcrSimulator = Awaited<ReturnType<typeof startAcrSimulator>>;
