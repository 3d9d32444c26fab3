import { randomBytes, randomUUID } from 'node:crypto';
import { acrSimRepoId } from './acr.js';
import { ALIBABA_SIM_CREDENTIALS, alibabaError as error, type RpcSimCall, type SimCredentials, startRpcSimServer } from './acs3Verifier.js';
import { generationOf, simFindings } from './findings.js';
import type { SimResponse } from './server.js';

/**
 * A simulator of Security Center's container image scan API (SAS 2018-12-03) on 127.0.0.1. It checks every
 * request's ACS3 signature, keeps an asset center of images and evaluates the scan filters over it as the API
 * documents them (comma-separated values, fields ANDed), runs at most 10 tasks at once, charges a scan quota,
 * and finishes each image's scan after a few status reads. Digests are accepted only as documented: bare hex.
 *
 * Repository names pick a behaviour: `*clean*` no findings · `*many*` 130 findings (several pages) · `*broken*` FAIL ·
 * `*timeout*` TIMOUT · `*slow*` never finishes · `*denied*` NoPermission · `*noquota*` BeyondQuata ·
 * `*unsynced*` not in the asset center until PublicSyncAndCreateImageScanTask · `*prefixed*` answers digests as
 * `sha256:…` · `*throttled*` / `*flaky*` the first two calls of each action are throttled / get 503 · `*delta*` each
 * image's findings depend on its digest (see findings.ts). DescribeImageInstances lists the asset center's images,
 * each with the state of its latest scan.
 * Security Center syncs a registry's images itself; here a pre-check or create naming exactly one repository
 * stands for that sync and adds the images it names (unless `*unsynced*`).
 * PublicSyncAndCreateImageScanTask's entries carry the repository id (`repoId`), as the API lists
 * (https://www.alibabacloud.com/help/en/security-center/developer-reference/api-sas-2018-12-03-publicsyncandcreateimagescantask):
 * an ACR Enterprise Edition image (registry type acr, with an instance id) without it, or with another id than
 * the ACR simulator's GetRepository gives, is refused here (InvalidParameter). How strict the real API is about
 * it is not documented.
 */
export interface SasBehaviour {
  /** Status reads answered as running before the image's scan finishes. */
  scanChecks: number;
  outcome: 'findings' | 'many' | 'clean' | 'failed' | 'timeout' | 'never';
  deny: boolean;
  noQuota: boolean;
  unsynced: boolean;
  prefixed: boolean;
  failFirst: number;
  failWith: 'throttle' | 'unavailable';
  /** The first create for the repository starts its task but answers this late (past the client's timeout). */
  lateCreateMs: number;
  /** Only these actions fail first (default: every action). */
  failActions?: string[];
  /** Instead of the outcome's usual findings: this many, spread over the three necessities. */
  findings?: number;
  longNames?: boolean;
}

export interface SasAsset {
  registryType: string;
  regionId: string;
  instanceId?: string;
  namespace: string;
  repo: string;
  /** Bare hex. */
  digest: string;
  tag?: string;
  /** The ACR repository id a PublicSyncAndCreateImageScanTask entry gave. */
  repoId?: string;
  /** When the asset center learnt of it (ms): its ImageUpdate. */
  addedAt?: number;
}

export interface SasSimTask {
  id: string;
  action: string;
  startTime: number;
  images: SasAsset[];
  /** Status reads so far per digest. */
  checks: Map<string, number>;
}

export type SasCall = RpcSimCall;

/** The regions the create doc lists as supported by container image scan. */
export const SAS_SUPPORTED_REGIONS = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-hongkong',
  'ap-northeast-1',
  'ap-southeast-5',
  'us-west-1',
  'us-east-1',
  'eu-central-1',
  'eu-west-1',
];

const FILTERS = ['RegistryTypes', 'RegionIds', 'InstanceIds', 'RepoNamespaces', 'RepoNames', 'RepoIds', 'Digests', 'Tags'] as const;
const HEX_DIGEST = /^[0-9a-f]{64}$/;
const PACKAGES = ['openssl', 'glibc', 'zlib', 'curl', 'libxml2', 'busybox', 'ncurses', 'expat'];
const NECESSITIES = ['asap', 'later', 'nntf'] as const;
const FINDINGS: Record<'findings' | 'many', Record<(typeof NECESSITIES)[number], number>> = {
  findings: { asap: 3, later: 5, nntf: 7 },
  many: { asap: 30, later: 50, nntf: 50 },
};

/** A record for a generated finding: its own id and package. */
const withPackage = (record: ReturnType<typeof vulRecord>, id: string, pkg: string, version: string, fixable: boolean) => ({
  ...record,
  Name: `alpine:3.18:${id}`,
  AliasName: `${id}: ${pkg} issue`,
  Related: id,
  ExtendContentJson: {
    ...record.ExtendContentJson,
    RpmEntityList: [
      { Name: pkg, Version: version, FullVersion: `${version}-r0`, Path: `/usr/lib/${pkg}`, MatchDetail: '', UpdateCmd: fixable ? `apk upgrade ${pkg}` : '' },
    ],
  },
});

const behaviourFor = (repo: string, defaults: Partial<SasBehaviour>): SasBehaviour => ({
  scanChecks: 2,
  outcome: /clean/.test(repo)
    ? 'clean'
    : /many/.test(repo)
      ? 'many'
      : /broken/.test(repo)
        ? 'failed'
        : /timeout/.test(repo)
          ? 'timeout'
          : /slow/.test(repo)
            ? 'never'
            : 'findings',
  deny: /denied/.test(repo),
  noQuota: /noquota/.test(repo),
  unsynced: /unsynced/.test(repo),
  prefixed: /prefixed/.test(repo),
  failFirst: /throttled|flaky/.test(repo) ? 2 : 0,
  failWith: /flaky/.test(repo) ? 'unavailable' : 'throttle',
  lateCreateMs: 0,
  ...defaults,
});

/** DescribeImageInstances' `Criteria` as name → value; `strict` throws on anything but a JSON array of {name, value}. */
const criteria = (value: string | undefined, strict = false): Record<string, string> => {
  try {
    const parsed = JSON.parse(value ?? '[]') as unknown;
    if (!Array.isArray(parsed)) throw new Error('not an array');
    return Object.fromEntries(
      parsed.map((c: { name?: unknown; value?: unknown }) => {
        if (typeof c?.name !== 'string' || typeof c?.value !== 'string') throw new Error('not {name, value}');
        return [c.name, c.value];
      }),
    );
  } catch (err) {
    if (strict) throw err;
    return {};
  }
};

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

const vulRecord = (asset: SasAsset, necessity: (typeof NECESSITIES)[number], i: number, prefixed: boolean) => {
  const pkg = PACKAGES[i % PACKAGES.length]!;
  const cve = `CVE-2024-${(NECESSITIES.indexOf(necessity) + 1) * 1000 + i}`;
  return {
    Name: `alpine:3.18:${cve}`,
    AliasName: `${cve}: ${pkg} issue`,
    Related: cve,
    Necessity: necessity,
    Type: 'cve',
    Status: 1,
    CanFix: 'yes',
    ImageDigest: prefixed ? `sha256:${asset.digest}` : asset.digest,
    Tag: asset.tag ?? '',
    RepoName: asset.repo,
    RepoNamespace: asset.namespace,
    ExtendContentJson: {
      Os: 'alpine',
      OsRelease: '3.18',
      RpmEntityList: [
        {
          Name: pkg,
          Version: `1.${i}.0`,
          FullVersion: `1.${i}.0-r0`,
          Path: `/usr/lib/${pkg}.so`,
          MatchDetail: `${pkg} version less than 1.${i}.1`,
          UpdateCmd: necessity === 'nntf' && i % 3 === 2 ? '' : `apk upgrade ${pkg}`,
        },
      ],
    },
  };
};

export const startSasSimulator = async (
  opts: { port?: number; defaults?: Partial<SasBehaviour>; credentials?: SimCredentials; quota?: number; taskLimit?: number } = {},
) => {
  const creds = opts.credentials ?? ALIBABA_SIM_CREDENTIALS;
  const failures = new Map<string, number>();
  const answeredLate = new Set<string>();
  const overrides = new Map<string, Partial<SasBehaviour>>();
  const assets: SasAsset[] = [];
  const tasks: SasSimTask[] = [];
  const latest = new Map<string, SasSimTask>(); // digest → its latest task
  const quota = { capacity: opts.quota ?? 10_000, used: 0 };
  let taskLimit = opts.taskLimit ?? 10;

  const behaviour = (asset: { namespace: string; repo: string }) => {
    const name = `${asset.namespace}/${asset.repo}`;
    return behaviourFor(name, { ...opts.defaults, ...overrides.get(name) });
  };
  const assetsOf = (digest: string) => assets.filter((a) => a.digest === digest);
  const imageDone = (task: SasSimTask, asset: SasAsset) =>
    behaviour(asset).outcome !== 'never' && (task.checks.get(asset.digest) ?? 0) > behaviour(asset).scanChecks;
  const running = () => tasks.filter((t) => t.images.some((a) => !imageDone(t, a))).length;

  const addAsset = (asset: SasAsset, opts: { scanned?: boolean } = {}) => {
    const same = (a: SasAsset) => a.digest === asset.digest && a.namespace === asset.namespace && a.repo === asset.repo && a.tag === asset.tag;
    if (!assets.some(same)) assets.push({ addedAt: Date.now(), ...asset });
    // A scan that finished when the image was added (not a running task, not counted against the quota).
    const at = asset.addedAt ?? Date.now();
    if (opts.scanned)
      latest.set(asset.digest, {
        id: randomBytes(16).toString('hex'),
        action: 'earlier',
        startTime: at,
        images: [asset],
        checks: new Map([[asset.digest, Number.MAX_SAFE_INTEGER - 1]]),
      });
  };

  /** An asset's vulnerability records once its scan finished with findings. */
  const recordsOf = (a: SasAsset) => {
    const b = behaviour(a);
    const generation = generationOf(`${a.namespace}/${a.repo}`, a.digest);
    if (b.findings !== undefined) {
      return simFindings(b.findings, NECESSITIES.length, generation, { longNames: b.longNames ?? false }).map((f, k) =>
        withPackage(vulRecord(a, NECESSITIES[f.level]!, k, b.prefixed), f.id, f.pkg, f.version, f.fixed !== undefined),
      );
    }
    const counts = FINDINGS[b.outcome as 'findings' | 'many'];
    if (!counts) return []; // clean, failed, timed out: no records
    return NECESSITIES.flatMap((n) => Array.from({ length: counts[n] }, (_, i) => vulRecord(a, n, i + generation, b.prefixed)));
  };
  const scannedWithFindings = (a: SasAsset) => {
    const task = latest.get(a.digest);
    return task !== undefined && imageDone(task, a) && ['findings', 'many'].includes(behaviour(a).outcome);
  };

  const matches = (asset: SasAsset, p: Record<string, string>) => {
    const field: Record<(typeof FILTERS)[number], string | undefined> = {
      RegistryTypes: asset.registryType,
      RegionIds: asset.regionId,
      InstanceIds: asset.instanceId,
      RepoNamespaces: asset.namespace,
      RepoNames: asset.repo,
      RepoIds: asset.repoId,
      Digests: asset.digest,
      Tags: asset.tag,
    };
    return FILTERS.every((f) => !p[f] || list(p[f]).includes(field[f] ?? ''));
  };

  /** Security Center's own registry sync, for a call naming exactly one repository (see the file comment). */
  const syncNamed = (p: Record<string, string>) => {
    const [namespaces, repos, digests, tags] = [list(p.RepoNamespaces), list(p.RepoNames), list(p.Digests), list(p.Tags)];
    if (namespaces.length !== 1 || repos.length !== 1) return;
    const where = { namespace: namespaces[0]!, repo: repos[0]! };
    if (behaviour(where).unsynced) return;
    // Which tag belongs to which digest: one digest has them all; as many tags as digests pair up in order.
    const tagsOfDigest = (i: number): (string | undefined)[] =>
      !tags.length ? [undefined] : digests.length === 1 ? tags : [tags[tags.length === digests.length ? i : 0]];
    digests.forEach((digest, i) => {
      for (const tag of tagsOfDigest(i)) {
        addAsset({
          registryType: list(p.RegistryTypes)[0] ?? 'acr',
          regionId: list(p.RegionIds)[0] ?? 'cn-hangzhou',
          ...(p.InstanceIds ? { instanceId: list(p.InstanceIds)[0]! } : {}),
          ...where,
          digest,
          ...(tag ? { tag } : {}),
        });
      }
    });
  };

  const ok = (body: Record<string, unknown>): SimResponse => ({ status: 200, body: { RequestId: randomUUID(), ...body } });

  /** Starts a task over `images`, within the task limit, the quota and the supported regions. */
  const startTask = (action: string, images: SasAsset[]): SimResponse => {
    if (images.some((a) => behaviour(a).noQuota) || quota.used + images.length > quota.capacity) {
      return error(400, 'BeyondQuata', 'Please check the scan quota');
    }
    if (images.some((a) => !SAS_SUPPORTED_REGIONS.includes(a.regionId))) {
      return ok({ Data: { Status: 'FAIL', Result: 'TASK_NOT_SUPPORT_REGION', CanCreate: true, TotalCount: images.length, FinishCount: 0, Progress: 0 } });
    }
    const busy = running();
    if (busy >= taskLimit) return ok({ Data: { Status: 'INIT', Result: 'SUCCESS', CanCreate: false, TotalCount: 0, FinishCount: 0, Progress: 0 } });
    const task: SasSimTask = { id: randomBytes(16).toString('hex'), action, startTime: Date.now(), images, checks: new Map() };
    tasks.push(task);
    for (const a of images) latest.set(a.digest, task);
    quota.used += images.length;
    const now = Date.now();
    return ok({
      Data: {
        TaskId: task.id,
        TotalCount: images.length,
        FinishCount: 0,
        CollectTime: now,
        ExecTime: now,
        Status: 'INIT',
        Progress: 0,
        Result: 'SUCCESS',
        CanCreate: busy + 1 < taskLimit,
      },
    });
  };

  const badDigest = (digests: string[]) => {
    const bad = digests.find((d) => !HEX_DIGEST.test(d));
    return bad === undefined ? undefined : error(400, 'InvalidParameter', `The digest "${bad}" is not a SHA-256 hex value.`);
  };

  /** The repository a request is about, for its behaviour. */
  const subject = (action: string, p: Record<string, string>): { namespace: string; repo: string } | undefined => {
    if (action === 'PublicSyncAndCreateImageScanTask') {
      try {
        const first = (JSON.parse(p.Images ?? '[]') as Record<string, string>[])[0];
        return first ? { namespace: first.repoNamespace ?? '', repo: first.repoName ?? '' } : undefined;
      } catch {
        return undefined;
      }
    }
    if (action === 'DescribeImageInstances') {
      const named = criteria(p.Criteria);
      return named.repoName ? { namespace: named.repoNamespace ?? '', repo: named.repoName } : undefined;
    }
    if (p.RepoNames) return { namespace: list(p.RepoNamespaces)[0] ?? '', repo: list(p.RepoNames)[0]! };
    const asset = p.Digest ? assetsOf(p.Digest)[0] : undefined;
    return asset;
  };

  const handle = (action: string, p: Record<string, string>): SimResponse => {
    const about = subject(action, p);
    if (about) {
      const b = behaviour(about);
      const failKey = `${about.namespace}/${about.repo}|${action}`;
      const failedSoFar = failures.get(failKey) ?? 0;
      if (failedSoFar < b.failFirst && (!b.failActions || b.failActions.includes(action))) {
        failures.set(failKey, failedSoFar + 1);
        return b.failWith === 'throttle'
          ? error(400, 'Throttling.User', 'Request was denied due to user flow control.')
          : error(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      }
      if (b.deny) return error(403, 'NoPermission', 'caller has no permission');
    }
    switch (action) {
      case 'PublicPreCheckImageScanTask':
      case 'PublicCreateImageScanTask': {
        const invalid = badDigest(list(p.Digests));
        if (invalid) return invalid;
        syncNamed(p);
        const matched = assets.filter((a) => matches(a, p));
        if (action === 'PublicPreCheckImageScanTask') return ok({ Data: { ScanImageCount: matched.length, NeedAuthCount: matched.length } });
        return startTask(action, matched);
      }
      case 'PublicSyncAndCreateImageScanTask': {
        let images: Record<string, unknown>[];
        try {
          images = JSON.parse(p.Images ?? '');
          if (!Array.isArray(images) || images.length === 0) throw new Error('empty');
        } catch {
          return error(400, 'InvalidParameter', 'Images must be a JSON array of images.');
        }
        const invalid = badDigest(images.map((i) => String(i.digest ?? '')));
        if (invalid) return invalid;
        const badRepoId = images.find(
          (i) => i.registryType === 'acr' && i.instanceId && i.repoId !== acrSimRepoId(String(i.repoNamespace), String(i.repoName)),
        );
        if (badRepoId) {
          return error(
            400,
            'InvalidParameter',
            badRepoId.repoId
              ? `The repoId "${String(badRepoId.repoId)}" is not the id of repository ${String(badRepoId.repoNamespace)}/${String(badRepoId.repoName)}.`
              : `repoId is required for the ACR image ${String(badRepoId.repoNamespace)}/${String(badRepoId.repoName)}.`,
          );
        }
        const synced = images.map(
          (i): SasAsset => ({
            registryType: String(i.registryType ?? 'acr'),
            regionId: String(i.regionId ?? ''),
            ...(i.instanceId ? { instanceId: String(i.instanceId) } : {}),
            namespace: String(i.repoNamespace ?? ''),
            repo: String(i.repoName ?? ''),
            digest: String(i.digest),
            ...(i.tag ? { tag: String(i.tag) } : {}),
            ...(i.repoId ? { repoId: String(i.repoId) } : {}),
          }),
        );
        for (const asset of synced) addAsset(asset);
        return startTask(action, synced);
      }
      case 'DescribeImageLatestScanTask': {
        if (!p.Digest) return error(400, 'MissingDigest', 'Digest is mandatory for this action.');
        const invalid = badDigest([p.Digest]);
        if (invalid) return invalid;
        const task = latest.get(p.Digest);
        const asset = task?.images.find((a) => a.digest === p.Digest);
        if (!task || !asset) return ok({ Task: [] });
        const checks = (task.checks.get(p.Digest) ?? 0) + 1;
        task.checks.set(p.Digest, checks);
        const b = behaviour(asset);
        const status = !imageDone(task, asset)
          ? (['START', 'MESSAGE_SEND', 'PRE_ANALYZER', 'PROCESSING'] as const)[Math.min(checks - 1, 3)]
          : b.outcome === 'failed'
            ? 'FAIL'
            : b.outcome === 'timeout'
              ? 'TIMOUT'
              : 'SUCCESS';
        const stamp = new Date(task.startTime).toISOString().slice(0, 19).replace('T', ' ');
        return ok({
          Task: [
            {
              TaskId: task.id,
              Id: tasks.indexOf(task) + 1,
              Name: 'IMAGE_SCAN',
              TaskType: 'IMAGE_SCAN',
              TargetType: 'IMAGE',
              Target: b.prefixed ? `sha256:${p.Digest}` : p.Digest,
              Status: status,
              Source: 'openapi',
              StartTime: task.startTime,
              Finish: task.images.filter((a) => imageDone(task, a)).length,
              Create: stamp,
              Modified: stamp,
              ...(status === 'SUCCESS' ? { FinishTime: Date.now() } : {}),
            },
          ],
        });
      }
      case 'DescribeImageVulList': {
        if (p.Type !== 'cve') return error(400, 'InvalidParameter', 'Type must be cve.');
        if (p.Digest) {
          const invalid = badDigest([p.Digest]);
          if (invalid) return invalid;
        }
        const records = assets
          .filter((a) => (!p.Digest || a.digest === p.Digest) && scannedWithFindings(a))
          .flatMap(recordsOf)
          .filter((r) => !p.Necessity || r.Necessity === p.Necessity);
        const pageSize = Math.min(Number(p.PageSize ?? 10) || 10, 100);
        const page = Math.max(Number(p.CurrentPage ?? 1) || 1, 1);
        return ok({ TotalCount: records.length, CurrentPage: page, PageSize: pageSize, VulRecords: records.slice((page - 1) * pageSize, page * pageSize) });
      }
      case 'DescribeImageInstances': {
        let named: Record<string, string>;
        try {
          named = criteria(p.Criteria, true);
        } catch {
          return error(400, 'InvalidParameter', 'Criteria must be a JSON array of {name, value}.');
        }
        const field: Record<string, (a: SasAsset) => string | undefined> = {
          repoNamespace: (a) => a.namespace,
          repoName: (a) => a.repo,
          tag: (a) => a.tag,
          regionId: (a) => a.regionId,
          registryType: (a) => a.registryType,
          instanceId: (a) => a.instanceId,
        };
        const matched = assets.filter((a) => Object.entries(named).every(([name, value]) => (field[name] ? field[name](a) === value : true)));
        const pageSize = Math.min(Number(p.PageSize ?? 20) || 20, 100);
        const page = Math.max(Number(p.CurrentPage ?? 1) || 1, 1);
        return ok({
          ImageInstanceList: matched.slice((page - 1) * pageSize, page * pageSize).map((a) => {
            const task = latest.get(a.digest);
            const done = task !== undefined && imageDone(task, a);
            const outcome = behaviour(a).outcome;
            return {
              RepoNamespace: a.namespace,
              RepoName: a.repo,
              ...(a.tag ? { Tag: a.tag } : {}),
              Digest: a.digest,
              RegionId: a.regionId,
              RegistryType: a.registryType,
              ...(a.instanceId ? { InstanceId: a.instanceId } : {}),
              ImageCreate: String(a.addedAt ?? 0),
              ImageUpdate: String(a.addedAt ?? 0),
              ...(task ? { ScaStatus: done ? (outcome === 'failed' ? 'FAIL' : outcome === 'timeout' ? 'TIMEOUT' : 'SUCCESS') : 'PRE_ANALYZER' } : {}),
              ...(done ? { LastScanTime: task.startTime + 1000, ScaProgress: 100 } : {}),
              VulCount: done ? recordsOf(a).length : 0,
              Status: 'NORMAL',
            };
          }),
          PageInfo: {
            Count: Math.min(pageSize, Math.max(0, matched.length - (page - 1) * pageSize)),
            CurrentPage: page,
            PageSize: pageSize,
            TotalCount: matched.length,
          },
        });
      }
      case 'DescribeImageScanAuthCount':
        return ok({ ImageScan: { ScanCount: quota.used, ImageScanCapacity: quota.capacity, InstanceId: 'sas-simulator' } });
      default:
        return error(404, 'InvalidAction.NotFound', `Specified api ${action} is not found.`);
    }
  };

  /** A first create for a `lateCreateMs` repository starts its task, then answers past the client's timeout. */
  const answerCreate = (action: string, params: Record<string, string>): SimResponse => {
    const res = handle(action, params);
    const about = action.endsWith('CreateImageScanTask') ? subject(action, params) : undefined;
    const late = about ? behaviour(about).lateCreateMs : 0;
    if (!about || late <= 0 || answeredLate.has(`${about.namespace}/${about.repo}`)) return res;
    answeredLate.add(`${about.namespace}/${about.repo}`);
    return { ...res, delayMs: late };
  };
  const server = await startRpcSimServer(creds, answerCreate, opts.port);

  return {
    ...server,
    /** Every task started, with the images it scans. */
    tasks,
    assets,
    /** An image already in the asset center (e.g. one a scan must not touch); with `scanned`, scanned when added. */
    addAsset,
    setQuota: (capacity: number, used = quota.used) => Object.assign(quota, { capacity, used }),
    quota: () => ({ ...quota }),
    setTaskLimit: (n: number) => (taskLimit = n),
    running,
    /** Sets a repository's behaviour (by `namespace/name`) beyond what its name implies. */
    setBehaviour: (repoFullName: string, b: Partial<SasBehaviour>) => overrides.set(repoFullName, b),
  };
};
export type SasSimulator = Awaited<ReturnType<typeof startSasSimulator>>;
