import { describe, expect, it } from 'vitest';
import { mergeSameImage, type QueuedScanJob } from '../../../functions/startScan/mergeScans.js';
import type { ScanJob } from '../../../shared/messages/jobs.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const job = (over: { tag?: string; digest?: string; route?: number; scanner?: string; jobId?: string } = {}): ScanJob => ({
  kind: 'scan',
  v: 1,
  jobId: over.jobId ?? `job-${over.tag ?? 'none'}`,
  route: over.route ?? 0,
  scanner: over.scanner ?? 'sas',
  channels: ['team'],
  image: {
    source: 'acr',
    namespace: 'team',
    repository: 'api',
    ...(over.tag ? { tag: over.tag } : {}),
    digest: over.digest ?? digest('a'),
  },
  receivedAt: '2026-11-22T10:00:00.000Z',
});
const queued = (jobs: ScanJob[], receiveCounts: number[] = []): QueuedScanJob[] =>
  jobs.map((j, index) => ({ index, body: JSON.stringify(j), receiveCount: receiveCounts[index] ?? 1, job: j }));

describe('mergeSameImage', () => {
  it('makes one scan of the tags pushed with one digest, listing every tag once', () => {
    const scans = mergeSameImage(queued([job({ tag: '1.4.2' }), job({ tag: 'latest' }), job({ tag: '1.4.2' })]));
    expect(scans).toHaveLength(1);
    expect(scans[0]!.indexes).toEqual([0, 1, 2]);
    expect(scans[0]!.job.image.tag).toBe('1.4.2');
    expect(scans[0]!.job.image.tags).toEqual(['1.4.2', 'latest']);
    expect(JSON.parse(scans[0]!.body).image.tags).toEqual(['1.4.2', 'latest']);
  });

  it('keeps different digests, repositories, routes and scanners apart', () => {
    const promoted = job({ tag: 'e' });
    promoted.image = { ...promoted.image, namespace: 'prod' };
    const scans = mergeSameImage(
      queued([job({ tag: 'a' }), job({ tag: 'b', digest: digest('b') }), job({ tag: 'c', route: 1 }), job({ tag: 'd', scanner: 'acr' }), promoted]),
    );
    expect(scans.map((s) => s.indexes)).toEqual([[0], [1], [2], [3], [4]]);
    expect(scans.every((s) => s.job.image.tags === undefined)).toBe(true);
  });

  it('a digest-only push merged with a tagged one takes the tag', () => {
    const [scan] = mergeSameImage(queued([job({}), job({ tag: 'v2' })]));
    expect(scan!.job.image.tag).toBe('v2');
    expect(scan!.job.image.tags).toEqual(['v2']);
  });

  it('carries the highest receive count, so the last try is recognised', () => {
    const [scan] = mergeSameImage(queued([job({ tag: 'a' }), job({ tag: 'b' })], [1, 5]));
    expect(scan!.receiveCount).toBe(5);
  });
});
