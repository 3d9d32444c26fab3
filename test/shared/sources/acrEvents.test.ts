import { describe, expect, it } from 'vitest';
import { $ZodError } from 'zod/v4/core';
import { formatIssues } from '../../../shared/config/zodIssues.js';
import { acrEventsSource } from '../../../shared/sources/acrEvents.js';
import { readEvent } from '../../support/events.js';

const CONFIG = { type: 'acr-events' as const, secret: 'acr-events-secret-0123456789' };
const parse = (payload: unknown) => acrEventsSource.parse({ headers: {}, query: {}, payload }, 'ee', CONFIG);
/** The 400's text for a payload this format refuses. */
const problem = (payload: unknown) => {
  try {
    parse(payload);
  } catch (err) {
    if (err instanceof $ZodError) return formatIssues(err);
    throw err;
  }
  return 'accepted';
};
const push = () => readEvent('acr-events/push.json');
const scanCompleted = () => readEvent('acr-events/scan-completed.json');

describe('acr-events: EventBridge CloudEvents from ACR Enterprise Edition', () => {
  it('a PushCompleted is a push of namespace/repository:tag with its digest, region and time', () => {
    expect(parse(push())).toEqual({
      pushes: [
        {
          source: 'ee',
          region: 'cn-hangzhou',
          namespace: 'team-a',
          repository: 'web',
          tag: '2.0.1',
          digest: 'sha256:3c5e0d7f9a1b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d',
          pushedAt: '2026-11-22T14:25:46+08:00',
        },
      ],
      ignored: [],
    });
  });

  it('a ScanCompleted is a scan that ended: the image, the instance, and the ACR scanner handle (repo id and tag)', () => {
    const parsed = parse(scanCompleted());
    expect(parsed.pushes).toEqual([]);
    expect(parsed.scansEnded).toEqual([
      {
        image: {
          source: 'ee',
          region: 'cn-hangzhou',
          namespace: 'team-a',
          repository: 'web',
          tag: '2.0.1',
          digest: 'sha256:3c5e0d7f9a1b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d',
        },
        event: 'cr:Artifact:ScanCompleted',
        instanceId: 'cri-demo0000000000',
        handle: { repoId: 'crr-a6d6889313c23313', tag: '2.0.1' },
      },
    ]);
  });

  it('takes a bare hex digest, as ACR answers some, and the envelope region where data has none', () => {
    const event = push();
    event.data.Digest = 'ab'.repeat(32);
    delete event.data.RegionId;
    event.aliyunregionid = 'cn-shanghai';
    expect(parse(event).pushes[0]).toMatchObject({ digest: `sha256:${'ab'.repeat(32)}`, region: 'cn-shanghai' });
  });

  it('ignores the other ACR event types, naming them', () => {
    const event = push();
    event.type = 'cr:Artifact:BuildCompleted';
    expect(parse(event)).toEqual({ pushes: [], ignored: [{ event: 'cr:Artifact:BuildCompleted', reason: 'not a push or scan-completed event' }] });
  });

  it.each([
    ['no digest', (e: any) => delete e.data.Digest, 'data.Digest'],
    ['a digest of another algorithm', (e: any) => (e.data.Digest = `sha512:${'ab'.repeat(64)}`), 'data.Digest: expected "sha256:" followed by 64 hex digits'],
    ['no tag', (e: any) => delete e.data.Tag, 'data.Tag'],
    ['no namespace', (e: any) => delete e.data.RepoNamespaceName, 'data.RepoNamespaceName'],
    ['no data', (e: any) => delete e.data, 'data'],
    ['no type', (e: any) => delete e.type, 'type'],
    ['not a CloudEvent', (e: any) => delete e.specversion, 'specversion'],
  ])('refuses a PushCompleted with %s, naming the field', (_name, spoil, field) => {
    const event = push();
    spoil(event);
    expect(problem(event)).toContain(field);
  });

  it('refuses a ScanCompleted without the repository id that finds its scan', () => {
    const event = scanCompleted();
    delete event.data.RepoId;
    expect(problem(event)).toMatch(/^data\.RepoId: /);
  });

  it('reads the secret from ?token=, as ACR triggers send it', () => {
    expect(acrEventsSource.presentedSecret({ headers: { authorization: 'x' }, query: { token: 'abc' } }, CONFIG)).toBe('abc');
    expect(acrEventsSource.presentedSecret({ headers: { authorization: 'x' }, query: {} }, CONFIG)).toBeUndefined();
  });
});
