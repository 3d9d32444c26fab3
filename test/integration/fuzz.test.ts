import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz, sendRaw } from '../../bench/fuzz.js';
import type { SimulatorUrls } from '../../local/demoConfig.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, eventually, postWebhook, SOURCE_SECRET, slackPosts, startTestStack, testConfig } from '../support/stack.js';

const HARBOR_SECRET = 'integration-harbor-secret-4b8e2a';

let stack: Stack;
const original = { stdout: process.stdout.write, stderr: process.stderr.write };
/** What the functions write while the generated requests run (a log line and a metric per refusal): held, and checked for secrets. */
const held: string[] = [];
let holding = false;
const hold = (write: typeof process.stdout.write) =>
  ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (!holding) return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;

beforeAll(async () => {
  stack = await startTestStack({
    config: (sims: SimulatorUrls) => {
      const base = testConfig(sims);
      return {
        ...base,
        sources: { ...base.sources, harbor: { secret: HARBOR_SECRET } },
        routes: [...base.routes, { source: 'harbor', scanner: 'registry', channels: ['sec'] }, { source: 'harbor', scanner: 'acr-hz', channels: ['sec'] }],
      };
    },
  });
  process.stdout.write = hold(original.stdout);
  process.stderr.write = hold(original.stderr);
});
afterAll(async () => {
  process.stdout.write = original.stdout;
  process.stderr.write = original.stderr;
  await stack?.stop();
});

const post = (target: string, body: string, extra = '') =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`;

describe('hostile requests against local mode', () => {
  it('the cases that took npm start down get a 4xx, and it keeps serving', async () => {
    const url = new URL(stack.url);
    const body = JSON.stringify(acrPush('hostile'));
    const cases: [string, string, number | 'aborted by us'][] = [
      ['a percent-encoding that does not decode', post('/webhooks/%E0%A4%A', body), 400],
      ['the target //[', post('//[', body), 404],
      ['a bad chunk size', 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400],
      [
        'a client that closes mid-body',
        `POST /webhooks/acr?token=${SOURCE_SECRET} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`,
        'aborted by us',
      ],
    ];
    for (const [what, bytes, expected] of cases) {
      const answer = await sendRaw(url, bytes, expected === 'aborted by us');
      expect({ what, answer: answer.status ?? answer.klass }).toEqual({ what, answer: expected });
    }
    for (const source of ['constructor', '__proto__', 'toString']) {
      const res = await postWebhook(stack, acrPush('proto'), { source });
      expect(res).toEqual({ status: 404, body: { error: `unknown source "${source}"` } });
    }
    for (const [what, tag] of [
      ['a NUL', 'v1\u0000'],
      ['an ANSI escape', '\u001b[31mred'],
      ['"../"', '../../etc'],
      ['a 200 KB tag', 'a'.repeat(200 * 1024)],
    ]) {
      const res = await postWebhook(stack, acrPush('hostile-tag', tag));
      expect({ what, status: res.status, error: res.body.error }).toMatchObject({
        what,
        status: 400,
        error: expect.stringMatching(/^invalid acr payload: image\.tag: /),
      });
    }
    const repeated = await fetch(`${stack.url}/webhooks/acr?token=wrong&token=${SOURCE_SECRET}`, { method: 'POST', body });
    expect(repeated.status).toBe(401);
  });

  it('a few thousand generated ones: every one refused with a 4xx, none queued, no vendor call, the server alive', async () => {
    holding = true;
    const tally = await runFuzz({
      target: { url: stack.url, acrSecret: SOURCE_SECRET, harborSecret: HARBOR_SECRET },
      count: 2500,
      timeLimitMs: 40_000,
      seed: 20261129,
      slowClients: 2,
    });
    holding = false;
    expect(tally.sent).toBeGreaterThanOrEqual(2000);
    expect(tally.byClass['4xx']).toBeGreaterThan(tally.sent * 0.9);
    expect({ '2xx': tally.byClass['2xx'], '3xx': tally.byClass['3xx'], '5xx': tally.byClass['5xx'], unexpected: tally.unexpected }).toEqual({
      '2xx': 0,
      '3xx': 0,
      '5xx': 0,
      unexpected: [],
    });
    expect(tally.unanswered).toEqual({});
    expect(tally.byClass['connection refused']).toBe(0);
    expect(tally.acceptedJobs).toBe(0);
    expect(tally.slowClientsCut).toBe(2);
    expect(tally.alive).toBe(true);
    // Anything queued would reach the scan queue and the fake ACR within its batching window (1 s here).
    await new Promise((r) => setTimeout(r, 2000));
    expect(await stack.queues.queued()).toBe(0);
    expect(stack.acr.calls).toEqual([]);
    expect(stack.chat.posts).toEqual([]);
    const output = held.join('');
    expect(output.match(/"message":"webhook answered"/g)?.length).toBeGreaterThan(1000);
    expect(output.includes(SOURCE_SECRET) || output.includes(HARBOR_SECRET)).toBe(false);
  }, 60_000);

  it('afterwards a real push still produces its chat message', async () => {
    const res = await postWebhook(stack, acrPush('after-fuzz'));
    expect(res.status).toBe(202);
    const posts = await eventually(
      () => {
        const found = slackPosts(stack).filter((m: { text: string }) => m.text.includes('/after-fuzz:'));
        return found.length > 0 ? found : undefined;
      },
      20_000,
      'the chat message',
    );
    expect(posts[0].text).toContain('team-a/after-fuzz:1.0.0');
  });
});
