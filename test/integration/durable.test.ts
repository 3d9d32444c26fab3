import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_SECRET } from '../../local/demoConfig.js';
import { readEvent } from '../support/events.js';
import { chatPosts, freePortPair, type NpmStart, npmStart } from './npmStart.js';

/**
 * kill -9 of `npm start` with pushes in flight, then a restart on the same state folder: every push accepted before the
 * kill ends in exactly one message per channel (the demo routes ACR namespace team-a to Slack and the HTTP endpoint),
 * and no scan is started twice.
 */
const PUSHES = 20;
/** Short visibility so that what was in flight at the kill comes back within seconds (npm start: about 3 minutes). */
const VISIBILITY_SECONDS = 3;

const started: NpmStart[] = [];
const stateDir = mkdtempSync(join(tmpdir(), 'scanhook-state-'));
afterAll(async () => {
  await Promise.all(started.map((s) => s.kill9()));
  rmSync(stateDir, { recursive: true, force: true });
});

const repoOf = (i: number) => `durable-${String(i).padStart(2, '0')}`;
const push = (i: number) => {
  const event = readEvent('acr/push.json');
  event.push_data.digest = `sha256:${createHash('sha256').update(repoOf(i)).digest('hex')}`;
  event.push_data.tag = `1.${i}.0`;
  event.repository.name = repoOf(i);
  event.repository.repo_full_name = `team-a/${repoOf(i)}`;
  return event;
};

/** The test's repositories a post names: a single result names one, a summary (Slack: one post a second) several. */
const reposIn = (text: string) => [...new Set([...text.matchAll(/team-a\/(durable-\d\d)\b/g)].map((m) => m[1]!))];

const countPosts = (stdout: string) => {
  const counts = new Map<string, { slack: number; http: number }>();
  for (const post of chatPosts(stdout)) {
    const channel = post.target === 'Slack' ? 'slack' : post.target === 'HTTP webhook' ? 'http' : undefined;
    if (!channel) continue;
    for (const repo of reposIn(post.text)) {
      const c = counts.get(repo) ?? { slack: 0, http: 0 };
      c[channel]++;
      counts.set(repo, c);
    }
  }
  return counts;
};

const scansStarted = (stdout: string) => [...stdout.matchAll(/ scan started jobId=(\S+)/g)].map((m) => m[1]!);

const run = (port: number) => {
  const child = npmStart({ port, env: { SCANHOOK_STATE_DIR: stateDir, SCANHOOK_VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY_SECONDS) } });
  started.push(child);
  return child;
};

describe('npm start keeps its queues on disk', () => {
  it('after kill -9 and a restart, every accepted push ends in exactly one message per channel, and no scan starts twice', async () => {
    const port = await freePortPair();
    const first = run(port);
    await first.ready();

    const jobIds = new Map<string, string>();
    // Spread over 5 s, as pushes arrive: when the first messages are out, later pushes are still mid-way.
    await Promise.all(
      Array.from({ length: PUSHES }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 250));
        const res = await fetch(`http://127.0.0.1:${port}/webhooks/acr?token=${DEMO_SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(push(i)),
        });
        const body = (await res.json()) as { jobs: { jobId: string }[] };
        expect(res.status).toBe(202);
        jobIds.set(repoOf(i), body.jobs[0]!.jobId);
      }),
    );
    // Killed mid-pipeline, the instant a chat message is printed (some are out): notify is posting its batch, later
    // pushes' scans are still running, their notify jobs queued. The worst moment for the notify batch in flight.
    await first.waitFor((out) => chatPosts(out).length >= 2, 60_000, 'the first messages');
    await first.kill9When((out) => chatPosts(out).length >= 3, 10_000);
    const before = first.stdout();
    // A cycle worth the name: pushes still on their way at the kill.
    expect(countPosts(before).size).toBeLessThan(PUSHES);

    const second = run(port);
    await second.ready();
    expect(second.stdout()).toMatch(/restored: {2}\d+ job\(s\) waiting/);
    const all = () => before + second.stdout();
    await second.waitFor(
      () => {
        const counts = countPosts(all());
        return [...jobIds.keys()].every((repo) => (counts.get(repo)?.slack ?? 0) > 0 && (counts.get(repo)?.http ?? 0) > 0);
      },
      60_000,
      'a message per push and channel',
    );
    // Long enough for anything still in flight to come back and be posted a second time, if it were.
    await new Promise((r) => setTimeout(r, (VISIBILITY_SECONDS + 5 + 2) * 1000));
    await second.stop();

    const counts = countPosts(all());
    // A post the chat target had received when the kill came, but whose delivery notify had not yet logged (the
    // moment between the target's reply and the job's delete), may be posted once more: the one window left.
    const inWindow = new Set<string>();
    for (const [repo, jobId] of jobIds) {
      for (const [channel, key] of [
        ['slack', 'team-slack'],
        ['http', 'audit'],
      ] as const) {
        const postedBefore = countPosts(before).get(repo)?.[channel] ?? 0;
        const logged = before.split('\n').some((l) => / notify .*delivered /.test(l) && l.includes(`channel=${key}`) && l.includes(jobId));
        if (postedBefore > 0 && !logged) inWindow.add(`${repo}/${channel}`);
      }
    }
    const repeated = [...jobIds.keys()].flatMap((repo) =>
      (['slack', 'http'] as const).filter((c) => (counts.get(repo)?.[c] ?? 0) > 1).map((c) => `${repo}/${c}`),
    );
    const starts = scansStarted(all());
    const startedTwice = [...new Set(starts.filter((id, i) => starts.indexOf(id) !== i))];
    const figures = {
      accepted: jobIds.size,
      messagesBeforeKill: chatPosts(before).length,
      messagesAfterRestart: chatPosts(second.stdout()).length,
      pushesWithMessageBeforeKill: countPosts(before).size,
      duplicates: repeated.length,
      duplicatesFromTheWindow: repeated.filter((r) => inWindow.has(r)).length,
      // The simulators keep their scans in memory: a check after the restart finds none (SCAN_TASK_NOT_EXIST).
      httpErrorsAfterRestart: chatPosts(second.stdout()).filter((p) => p.target === 'HTTP webhook' && p.text.startsWith('scan.error')).length,
      scansStarted: starts.length,
      scansStartedTwice: startedTwice.length,
    };
    process.stdout.write(`kill -9 cycle: ${JSON.stringify(figures)}\n`);

    for (const repo of jobIds.keys()) {
      for (const channel of ['slack', 'http'] as const) {
        const n = counts.get(repo)?.[channel] ?? 0;
        expect({ repo, channel, messages: n === 2 && inWindow.has(`${repo}/${channel}`) ? 1 : n }).toEqual({ repo, channel, messages: 1 });
      }
    }
    expect(startedTwice).toEqual([]);
    expect(new Set(starts)).toEqual(new Set(jobIds.values()));
  }, 90_000);
});
