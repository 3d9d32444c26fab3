import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Job } from '../../shared/messages.js';
import { AcrPushPayload } from '../../shared/sources/acr.js';
import { parseHarborWebhook } from '../../shared/sources/harborPayload.js';

const dir = (sub: string) => new URL(`../../events/${sub}/`, import.meta.url);
const read = (sub: string, file: string) => JSON.parse(readFileSync(new URL(file, dir(sub)), 'utf8'));

describe('the sample payloads in events/ stay true to the code', () => {
  it.each(readdirSync(dir('acr')))('events/acr/%s is an ACR push the webhook accepts', (file) => {
    expect(AcrPushPayload.safeParse(read('acr', file)).success).toBe(true);
  });

  it.each([...readdirSync(dir('harbor')).map((f) => ['harbor', f]), ...readdirSync(dir('swr')).map((f) => ['swr', f])])(
    'events/%s/%s is a Harbor-format push or scan result the webhook accepts',
    (sub, file) => {
      const payload = read(sub, file);
      const contentType = file.includes('cloudevents') ? 'application/cloudevents+json' : 'application/json';
      const parsed = parseHarborWebhook({ headers: { 'content-type': contentType }, query: {}, payload }, sub);
      expect(parsed.ignored).toEqual([]);
      const images = file.startsWith('push') ? parsed.pushes : (parsed.results ?? []).map((r) => r.image);
      expect(images.length).toBeGreaterThan(0);
      expect(file.includes('digest-only')).toBe(images.every((i) => i.tag === undefined));
    },
  );

  it.each(readdirSync(dir('sqs')))('events/sqs/%s is a valid job message', (file) => {
    const result = Job.safeParse(read('sqs', file));
    expect(result.error?.issues ?? []).toEqual([]);
    expect(file.startsWith(`${result.data!.kind}-job`)).toBe(true);
  });

  it.each(readdirSync(dir('reports')))('events/reports/%s is a notify job (what `npm run preview` renders)', (file) => {
    const result = Job.safeParse(read('reports', file));
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data!.kind).toBe('notify');
  });

  it('covers every outcome a notify job can carry', () => {
    const outcomes = readdirSync(dir('sqs')).filter((f) => f.startsWith('notify')).map((f) => read('sqs', f).outcome.status);
    expect(outcomes.sort()).toEqual(['complete', 'error', 'failed', 'timed_out']);
  });
});
