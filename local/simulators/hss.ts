import { createHash } from 'node:crypto';
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
 * A simulator of HSS container image scanning (https://support.huaweicloud.com/intl/en-us/api-hss2.0/CreateManualImageScanTask.html) on 127.0.0.1. Every request must carry a valid AK/SK
 * signature or IAM token and the `region` header. Both start calls answer 200 with an empty body, as the real ones;
 * each image's `scan_status` in the image lists moves waiting_for_scan → scanning → its outcome over a few reads.
 * The image name (`namespace/name`) picks a behaviour: `*clean*` no findings · `*broken*` failed ·
 * `*download*` download_failed · `*oversized*` image_oversized · `*slow*` never finishes · `*denied*` 403 ·
 * `*throttled*` / `*flaky*` the first two calls get 429 APIG.0308 / 503 · `*expired*` the first token used expires.
 * `*delta*` each image's findings depend on its digest (see findings.ts).
 * Error codes other than APIG's are the simulator's own (the bodies have the documented shape).
 *
 * Like HSS, it knows each tag's digest from the registry: from a scan task's `image_digest`, from `setImage`, or
 * else `hssSimDigest(namespace, name, tag)`.
 */
export interface HssBehaviour {
  scanChecks: number;
  outcome: 'findings' | 'clean' | 'failed' | 'download_failed' | 'image_oversized' | 'never';
  deny: boolean;
  /** Instead of the usual 12 findings: this many, spread over the three repair necessities. */
  findings?: number;
  longNames?: boolean;
  /** Calls of these operations answer 429 APIG.0308 (throttled), however often they are retried. */
  throttle?: string[];
  /** ListImageVulnerabilities of these tags answers 429 APIG.0308, however often it is retried. */
  throttleTags?: string[];
}

export interface HssCall {
  operation: string;
  method: string;
  path: string;
  /** `namespace/name` of every image the call names. */
  images: string[];
  /** A start call's JSON body. */
  body?: any;
  auth: AuthMethod;
  status: number;
  at: number;
}

type ImageType = 'private_image' | 'shared_image' | 'instance_image';

interface SimImage {
  imageId: string;
  imageType: ImageType;
  namespace: string;
  name: string;
  /** The tag, or the digest for an untagged artifact (how the simulator lists those; unconfirmed for HSS). */
  version: string;
  digest: string;
  instanceId?: string;
  /** When the registry got it (ms): its latest_update_time. */
  pushedAt: number;
  scan?: { checks: number; finishedAt?: number };
}

export const hssSimDigest = (namespace: string, name: string, tag: string): string =>
  `sha256:${createHash('sha256').update(`${namespace}/${name}:${tag}`).digest('hex')}`;

const behaviourFor = (name: string, defaults: Partial<HssBehaviour>): HssBehaviour => ({
  scanChecks: 2,
  outcome: /clean/.test(name)
    ? 'clean'
    : /broken/.test(name)
      ? 'failed'
      : /download/.test(name)
        ? 'download_failed'
        : /oversized/.test(name)
          ? 'image_oversized'
          : /slow/.test(name)
            ? 'never'
            : 'findings',
  deny: /denied/.test(name),
  ...defaults,
});

const REGISTRY_TYPES: Record<string, ImageType> = { SwrPrivate: 'private_image', SwrShared: 'shared_image', SwrEnterprise: 'instance_image' };
const IMAGE_TYPES = new Set<string>(Object.values(REGISTRY_TYPES));
const FAILURE: Record<string, { code: string; desc: string }> = {
  failed: { code: 'response_timed_out', desc: 'The scan engine did not answer in time.' },
  download_failed: { code: 'download_failed', desc: 'Failed to pull the image from the registry.' },
  image_oversized: { code: 'image_over_sized', desc: 'The image exceeds the maximum size that can be scanned.' },
};
/** Findings of the `findings` outcome per repair necessity. */
const VULNS: Record<string, number> = { immediate_repair: 2, delay_repair: 4, not_needed_repair: 6 };
const APPS = ['openssl', 'log4j-core', 'glibc', 'spring-web', 'zlib', 'busybox'];

const invalid = (message: string) => apigError(400, 'HSS.0001', message);

export const startHssSimulator = async (opts: { tokens: TokenBook; keys?: SimKeys[]; port?: number; defaults?: Partial<HssBehaviour> }) => {
  const verifier = createHuaweiVerifier({ tokens: opts.tokens, ...(opts.keys ? { keys: opts.keys } : {}) });
  const injectFault = createFaultInjector(opts.tokens);
  const calls: HssCall[] = [];
  const images = new Map<string, SimImage>(); // imageType|namespace/name:version
  const overrides = new Map<string, Partial<HssBehaviour>>();
  let nextId = 1;

  const behaviour = (name: string) => behaviourFor(name, { ...opts.defaults, ...overrides.get(name) });

  const imageFor = (
    imageType: ImageType,
    namespace: string,
    name: string,
    version: string | undefined,
    digest: string | undefined,
    instanceId?: string,
  ): SimImage => {
    const existing = version
      ? images.get(`${imageType}|${namespace}/${name}:${version}`)
      : [...images.values()].find((i) => i.imageType === imageType && i.namespace === namespace && i.name === name && i.digest === digest);
    const tag = version ?? digest!;
    const image = existing ?? {
      imageId: `img-${String(nextId++).padStart(8, '0')}`,
      imageType,
      namespace,
      name,
      version: tag,
      digest: digest ?? hssSimDigest(namespace, name, tag),
      ...(instanceId ? { instanceId } : {}),
      pushedAt: Date.now(),
    };
    if (digest) image.digest = digest;
    images.set(`${imageType}|${namespace}/${name}:${tag}`, image);
    return image;
  };

  /** One read of an image in a list: a started scan moves on. */
  const status = (image: SimImage): { scan_status: string; scan_failed_code?: string; scan_failed_desc?: string } => {
    if (!image.scan) return { scan_status: 'unscan' };
    const b = behaviour(`${image.namespace}/${image.name}`);
    image.scan.checks++;
    const done = b.outcome !== 'never' && image.scan.checks > b.scanChecks;
    if (!done) return { scan_status: image.scan.checks === 1 ? 'waiting_for_scan' : 'scanning' };
    image.scan.finishedAt ??= Date.now();
    const failure = FAILURE[b.outcome];
    return failure ? { scan_status: b.outcome, scan_failed_code: failure.code, scan_failed_desc: failure.desc } : { scan_status: 'success' };
  };

  /** The image's findings, of every necessity. */
  const vulnsOf = (image: SimImage) => {
    const name = `${image.namespace}/${image.name}`;
    const b = behaviour(name);
    if (b.outcome === 'clean') return [];
    const generation = generationOf(name, image.digest);
    const necessities = Object.keys(VULNS);
    if (b.findings !== undefined) {
      return simFindings(b.findings, necessities.length, generation, { longNames: b.longNames ?? false }).map((f) => ({
        vul_id: f.id,
        repair_necessity: necessities[f.level]!,
        description: `${f.pkg} vulnerability`,
        position: `/usr/lib/${f.pkg}`,
        app_name: f.pkg,
        app_path: `/usr/lib/${f.pkg}`,
        version: f.version,
        solution: f.fixed ? `Upgrade ${f.pkg} to ${f.fixed} or later.` : '',
        url: `https://nvd.nist.gov/vuln/detail/${f.id}`,
      }));
    }
    return necessities.flatMap((necessity) =>
      Array.from({ length: VULNS[necessity]! }, (_, k) => k + generation).map((i) => {
        const app = APPS[(i + necessity.length) % APPS.length]!;
        const id = `CVE-2024-${necessities.indexOf(necessity) + 2}${String(i).padStart(3, '0')}`;
        return {
          vul_id: id,
          repair_necessity: necessity,
          description: `${app} vulnerability`,
          position: `/usr/lib/${app}`,
          app_name: app,
          app_path: `/usr/lib/${app}`,
          version: `1.${i}.0`,
          solution: `Upgrade ${app} to 1.${i}.1 or later.`,
          url: `https://nvd.nist.gov/vuln/detail/${id}`,
        };
      }),
    );
  };

  const listed = (image: SimImage, enterprise: boolean, s: ReturnType<typeof status>) => {
    const vulNum = image.scan?.finishedAt ? vulnsOf(image).length : 0;
    const common = {
      image_id: image.imageId,
      namespace: image.namespace,
      image_name: image.name,
      image_version: image.version,
      image_digest: image.digest,
      vul_num: vulNum,
      unsafe_setting_num: 0,
      malicious_file_num: 0,
      instance_id: image.instanceId ?? '',
      instance_url: image.instanceId ? `${image.instanceId}.swr.example.com` : '',
      ...s,
    };
    return enterprise
      ? { ...common, registry_id: 'reg-1', registry_name: 'swr-ee', registry_type: 'SwrEnterprise', severity_level: vulNum ? 'High' : 'Security' }
      : {
          ...common,
          id: Number(image.imageId.slice(4)),
          image_type: image.imageType,
          latest_version: true,
          scannable: true,
          latest_scan_time: image.scan?.finishedAt ?? 0,
          latest_update_time: image.pushedAt,
        };
  };

  type Handled = { res: SimResponse; images?: string[] };

  const startTask = (req: SimRequest, body: any): Handled => {
    const infos = Array.isArray(body?.image_info) ? body.image_info : [];
    if (!infos.length) return { res: invalid('image_info is required unless is_all is true') };
    const names = infos.map((i: any) => `${i?.namespace}/${i?.image_name}`);
    for (const info of infos) {
      const imageType = REGISTRY_TYPES[info?.registry_type];
      if (!imageType) return { res: invalid(`registry_type ${info?.registry_type} is not supported`), images: names };
      if (!info.namespace || !info.image_name || !(info.image_version || info.image_digest))
        return { res: invalid('each image needs namespace, image_name and image_version or image_digest'), images: names };
      if (imageType === 'instance_image' && !info.instance_id) return { res: invalid('instance_id is required for SwrEnterprise images'), images: names };
    }
    return start(req, names, () => {
      for (const info of infos)
        imageFor(
          REGISTRY_TYPES[info.registry_type]!,
          info.namespace,
          info.image_name,
          info.image_version || undefined,
          info.image_digest,
          info.instance_id,
        ).scan = { checks: 0 };
    });
  };

  const startBatch = (req: SimRequest, body: any): Handled => {
    const imageType = body?.image_type;
    if (!IMAGE_TYPES.has(imageType)) return { res: invalid('image_type is required: private_image, shared_image or instance_image') };
    const infos = Array.isArray(body?.image_info_list) ? body.image_info_list : [];
    if (!infos.length && body?.operate_all !== true) return { res: invalid('image_info_list is required when operate_all is false') };
    const names = infos.map((i: any) => `${i?.namespace}/${i?.image_name}`);
    if (infos.some((i: any) => !i?.namespace || !i?.image_name || !i?.image_version))
      return { res: invalid('each image needs namespace, image_name and image_version'), images: names };
    return start(req, names, () => {
      for (const info of infos) imageFor(imageType, info.namespace, info.image_name, info.image_version, undefined, info.instance_id).scan = { checks: 0 };
    });
  };

  const start = (req: SimRequest, names: string[], record: () => void): Handled => {
    for (const name of names) {
      const fault = injectFault(name, faultsFor(name), req.headers['x-auth-token']);
      if (fault) return { res: fault, images: names };
      if (behaviour(name).deny) return { res: apigError(403, 'HSS.0403', 'The user has no permission to perform this operation.'), images: names };
    }
    record();
    return { res: { status: 200, body: '' }, images: names };
  };

  const list = (req: SimRequest, enterprise: boolean): Handled => {
    const q = req.url.searchParams;
    const imageType = q.get('image_type') ?? '';
    const name = `${q.get('namespace')}/${q.get('image_name')}`;
    if (!IMAGE_TYPES.has(imageType)) return { res: invalid('image_type is required'), images: [name] };
    const limit = Number(q.get('limit') ?? 10);
    if (!(limit >= 10 && limit <= 200)) return { res: invalid('limit must be 10 to 200'), images: [name] };
    const fault = injectFault(name, faultsFor(name), req.headers['x-auth-token']);
    if (fault) return { res: fault, images: [name] };
    const matches = [...images.values()].filter(
      (i) =>
        i.imageType === imageType &&
        (!q.get('namespace') || i.namespace === q.get('namespace')) &&
        (!q.get('image_name') || i.name === q.get('image_name')) &&
        (!q.get('image_version') || i.version === q.get('image_version')) &&
        (!q.get('instance_id') || i.instanceId === q.get('instance_id')),
    );
    // Each listed image's state is read once per call, as HSS shows it; `scan_status` keeps those in that state.
    const read = matches.map((i) => ({ image: i, state: status(i) })).filter((r) => !q.get('scan_status') || r.state.scan_status === q.get('scan_status'));
    const page = read.slice(Number(q.get('offset') ?? 0), Number(q.get('offset') ?? 0) + limit);
    return {
      res: { status: 200, body: { total_num: read.length, data_list: page.map((r) => listed(r.image, enterprise, r.state)) } },
      images: [name],
    };
  };

  const vulnerabilities = (req: SimRequest, imageId: string): Handled => {
    const q = req.url.searchParams;
    const name = `${q.get('namespace')}/${q.get('image_name')}`;
    for (const required of ['image_type', 'namespace', 'image_name', 'tag_name']) {
      if (!q.get(required)) return { res: invalid(`${required} is required`), images: [name] };
    }
    const limit = Number(q.get('limit') ?? 10);
    if (!(limit >= 10 && limit <= 200)) return { res: invalid('limit must be 10 to 200'), images: [name] };
    const fault = injectFault(name, faultsFor(name), req.headers['x-auth-token']);
    if (fault) return { res: fault, images: [name] };
    const image = [...images.values()].find((i) => i.imageId === imageId);
    if (!image) return { res: apigError(404, 'HSS.0404', `image ${imageId} does not exist`), images: [name] };
    const matches =
      image.namespace === q.get('namespace') &&
      image.name === q.get('image_name') &&
      image.version === q.get('tag_name') &&
      image.imageType === q.get('image_type');
    const necessity = q.get('repair_necessity');
    const all = matches ? vulnsOf(image).filter((v) => !necessity || v.repair_necessity === necessity) : [];
    const offset = Number(q.get('offset') ?? 0);
    return { res: { status: 200, body: { total_num: all.length, data_list: all.slice(offset, offset + limit) } }, images: [name] };
  };

  const handle = (req: SimRequest): { operation: string; handled: Handled; body?: unknown } => {
    const seg = routeSegments(req); // v5/{project}/image/…
    const rest = seg.slice(3).join('/');
    const operation =
      seg[0] !== 'v5' || seg[2] !== 'image'
        ? 'unknown'
        : req.method === 'POST' && rest === 'image-scan/tasks'
          ? 'CreateManualImageScanTask'
          : req.method === 'POST' && rest === 'batch-scan'
            ? 'BatchScanSwrImage'
            : req.method === 'GET' && rest === 'swr-repository'
              ? 'ListSwrImageRepository'
              : req.method === 'GET' && rest === 'registries/images'
                ? 'ListRegistryImages'
                : req.method === 'GET' && seg.length === 5 && seg[4] === 'vulnerabilities'
                  ? 'ListImageVulnerabilities'
                  : 'unknown';
    if (operation === 'unknown') return { operation, handled: { res: notFoundApi() } };
    const auth = verifier.verify(req, seg[1]!);
    if (auth.rejected) return { operation, handled: { res: auth.rejected } };
    if (!/^[a-z]+(-[a-z0-9]+)+$/.test(req.headers.region ?? '')) return { operation, handled: { res: invalid('the region header is missing') } };
    const about = `${req.url.searchParams.get('namespace')}/${req.url.searchParams.get('image_name')}`;
    const throttled =
      behaviour(about).throttle?.includes(operation) ||
      (operation === 'ListImageVulnerabilities' && behaviour(about).throttleTags?.includes(req.url.searchParams.get('tag_name') ?? ''));
    if (throttled) {
      return {
        operation,
        handled: {
          res: apigError(429, 'APIG.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second'),
          images: [about],
        },
      };
    }
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(req.body);
      } catch {
        return { operation, handled: { res: invalid('the request body is not JSON') } };
      }
    }
    switch (operation) {
      case 'CreateManualImageScanTask':
        return { operation, handled: startTask(req, body), body };
      case 'BatchScanSwrImage':
        return { operation, handled: startBatch(req, body), body };
      case 'ListSwrImageRepository':
        return { operation, handled: list(req, false) };
      case 'ListRegistryImages':
        return { operation, handled: list(req, true) };
      default:
        return { operation, handled: vulnerabilities(req, seg[3]!) };
    }
  };

  const server = await startSimServer((req) => {
    const { operation, handled, body } = handle(req);
    calls.push({
      operation,
      ...(body !== undefined ? { body } : {}),
      method: req.method,
      path: req.url.pathname,
      images: handled.images ?? [],
      auth: req.headers['x-auth-token'] ? 'token' : 'aksk',
      status: handled.res.status,
      at: Date.now(),
    });
    return handled.res;
  }, opts.port);

  return {
    url: server.url,
    calls,
    verifier,
    count: (operation: string) => calls.filter((c) => c.operation === operation).length,
    /** Calls naming one image (`namespace/name`). */
    callsFor: (name: string) => calls.filter((c) => c.images.includes(name)),
    /** What the registry holds: `tag` of `namespace/name` is `digest`; with `scanned`, scanned when pushed. */
    setImage: (imageType: ImageType, namespace: string, name: string, tag: string, digest: string, pushedAt?: number, opts: { scanned?: boolean } = {}) => {
      const image = imageFor(imageType, namespace, name, tag, digest);
      if (pushedAt !== undefined) image.pushedAt = pushedAt;
      // A scan that finished when the image was pushed: success at the first read.
      if (opts.scanned) image.scan = { checks: Number.MAX_SAFE_INTEGER - 1, finishedAt: image.pushedAt };
    },
    setBehaviour: (name: string, behaviour: Partial<HssBehaviour>) => overrides.set(name, behaviour),
    close: server.close,
  };
};
export type HssSimulator = Awaited<ReturnType<typeof startHssSimulator>>;
