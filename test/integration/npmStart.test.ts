import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_SECRET } from '../../local/demoConfig.js';
import { readEvent } from '../support/events.js';
import { freePortPair, type NpmStart, npmStart } from './npmStart.js';

/** `npm start` as a person runs it: its first line, a port in use, its state folder, a pipe instead of a terminal. */
const children: NpmStart[] = [];
const servers: Server[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill9()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanhook-start-'));
  dirs.push(dir);
  return dir;
};
const start = (port: number, env: Record<string, string> = {}, args: string[] = []) => {
  const child = npmStart({ port, env: { SCANHOOK_STATE_DIR: stateDir(), ...env }, args });
  children.push(child);
  return child;
};
const occupy = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
const NODE_LINE = /^scanhook · Node v22\.\d+\.\d+\n/;
const push = (port: number) =>
  fetch(`http://127.0.0.1:${port}/webhooks/acr?token=${DEMO_SECRET}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(readEvent('acr/push.json')),
  });

describe('npm start', () => {
  it('names the Node version it runs on in its first line, and writes no colour codes into a pipe', async () => {
    const port = await freePortPair();
    const child = start(port);
    await child.ready();
    expect(child.stdout()).toMatch(NODE_LINE);
    expect(child.stdout().split('\n')[0]).toBe(`scanhook · Node ${process.version}`);
    expect(child.stdout()).toContain(`queues:    http://127.0.0.1:${port + 1} · kept in `);
    // A push, so that log lines (coloured on a terminal) are written too.
    expect((await push(port)).status).toBe(202);
    await child.waitFor((out) => out.includes('job accepted'), 10_000, 'the log line of the push');
    expect(child.stdout()).not.toContain('\x1b[');
    expect(child.stderr()).not.toContain('\x1b[');
    expect(child.stderr()).not.toContain('ExperimentalWarning');
    await child.stop();
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['the webhook port (PORT)', 0, (port: number) => `port ${port} (PORT, the webhook endpoint) is in use`],
    ['the SQS port (PORT + 1)', 1, (port: number) => `port ${port + 1} (PORT + 1, the embedded SQS server) is in use`],
  ])('says in one line that %s is in use, and exits non-zero', async (_what, offset, says) => {
    const port = await freePortPair();
    await occupy(port + offset);
    const child = start(port);
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.stdout()).toMatch(NODE_LINE);
    expect(child.stderr()).toBe(`scanhook could not start: ${says(port)}: another npm start? Stop it or pick another PORT (e.g. PORT=3100 npm start)\n`);
  });

  it('refuses a state folder another npm start is using, and --fresh empties it', async () => {
    const dir = stateDir();
    const port = await freePortPair();
    const first = start(port, { SCANHOOK_STATE_DIR: dir });
    await first.ready();
    const second = start(await freePortPair(), { SCANHOOK_STATE_DIR: dir }, ['--fresh']);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toMatch(/^scanhook could not start: the state folder .* is in use by process \d+ \(another npm start\?\)\n$/);
    expect(readdirSync(dir)).toContain('fauxqs.db');

    // Work left behind, then a fresh start: nothing restored.
    expect((await push(port)).status).toBe(202);
    await first.kill9();
    const again = start(await freePortPair(), { SCANHOOK_STATE_DIR: dir });
    await again.ready();
    // The push is waiting, or was in flight at the kill (received by startScan): back after its visibility timeout.
    expect(again.stdout()).toMatch(/restored: {2}(1 job\(s\) waiting|0 job\(s\) waiting, 1 in flight when it stopped \(back within about 3 min\))\n/);
    await again.kill9();
    const fresh = start(await freePortPair(), { SCANHOOK_STATE_DIR: dir }, ['--fresh']);
    await fresh.ready();
    expect(fresh.stdout()).not.toContain('restored:');
    await fresh.stop();
  });

  it('refuses an argument it does not know', async () => {
    const child = start(await freePortPair(), {}, ['--frsh']);
    expect((await child.exited).code).toBe(1);
    expect(child.stderr()).toBe('scanhook could not start: unknown argument --frsh (npm start takes only --fresh)\n');
  });
});
