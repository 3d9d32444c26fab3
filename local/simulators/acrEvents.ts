import { randomUUID } from 'node:crypto';

/** An image of an ACR Enterprise Edition instance, as the events name it. */
export interface AcrEventImage {
  instanceId: string;
  region: string;
  namespace: string;
  repository: string;
  repoId: string;
  tag: string;
  /** `sha256:…` */
  digest: string;
}

const ACCOUNT = '1234567890980000';

/**
 * The CloudEvent EventBridge delivers for an ACR event, in the shape of Alibaba's published examples
 * (https://www.alibabacloud.com/help/en/eventbridge/user-guide/container-registry-events): the envelope, and `data`
 * with the fields those examples and the ScanCompleted parameters show, plus `Digest` (not published).
 */
const cloudEvent = (type: string, image: AcrEventImage, extra: Record<string, unknown>) => {
  const now = new Date();
  return {
    id: randomUUID(),
    source: 'acs.cr',
    specversion: '1.0',
    subject: `acs.cr:${image.region}:${ACCOUNT}:${image.repoId}`,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    type,
    aliyunaccountid: ACCOUNT,
    aliyunpublishtime: now.toISOString(),
    aliyuneventbusname: 'default',
    aliyunregionid: image.region,
    aliyunpublishaddr: '172.25.XX.XX',
    data: {
      InstanceId: image.instanceId,
      InstanceName: 'scanhook-sim',
      RegionId: image.region,
      RepoId: image.repoId,
      RepoNamespaceName: image.namespace,
      RepoName: image.repository,
      Tag: image.tag,
      Digest: image.digest,
      ImageUpdate: now.toISOString().slice(0, 19).replace('T', ' '),
      ...extra,
    },
  };
};

export const pushCompletedEvent = (image: AcrEventImage) => cloudEvent('cr:Artifact:PushCompleted', image, {});

/** ScanCompleted, with the status and counts its published parameters list. */
export const scanCompletedEvent = (
  image: AcrEventImage,
  outcome: { status: 'COMPLETE' | 'FAILED'; high?: number; medium?: number; low?: number; unknown?: number },
) => {
  const counts = { HighSeverity: outcome.high ?? 0, MediumSeverity: outcome.medium ?? 0, LowSeverity: outcome.low ?? 0, UnknownSeverity: outcome.unknown ?? 0 };
  return cloudEvent('cr:Artifact:ScanCompleted', image, {
    Status: outcome.status,
    ...counts,
    TotalSeverity: Object.values(counts).reduce((a, b) => a + b, 0),
  });
};
