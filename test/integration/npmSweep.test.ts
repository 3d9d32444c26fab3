import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { chatPosts, freePortPair, type NpmStart, npmStart, PROJECT } from './npmStart.js';

/** `npm run sweep` from a second terminal, against the demo `npm start`. */
const run = promisify(execFile);
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const children: NpmStart[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill9()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sweep = (port: number) => run(process.execPath, [TSX, 'local/sweep.ts'], { cwd: PROJECT, env: { ...process.env, PORT: String(port) } });

describe('npm run sweep', () => {
  it("starts a sweep on the running npm start: the demo's image pushed 9 days ago gained a finding, and is posted as a re-scan", async () => {
    const port = await freePortPair();
    const dir = mkdtempSync(join(tmpdir(), 'scanhook-sweep-'));
    dirs.push(dir);
    const child = npmStart({ port, env: { SCANHOOK_STATE_DIR: dir } });
    children.push(child);
    await child.ready();
    const aging = () => chatPosts(child.stdout()).filter((p) => p.target === 'Slack' && p.text.includes('reports-aging'));
    const { stdout } = await sweep(port);
    expect(stdout).toMatch(/^sweep queued \(.+\): watch the npm start terminal\n$/);
    await child.waitFor(() => aging().length >= 1, 40_000, 'the re-scan message');
    const rescan = aging()[0]!.text;
    expect(rescan).toContain('Re-scan: ');
    expect(rescan).toContain('1 new since the last scan');
    expect(rescan).toContain('CVE-2031-10000');
    expect(rescan).toContain('pushed 9 days ago');
    await child.stop();
  }, 90_000);

  it('says so when no npm start answers on PORT', async () => {
    const port = await freePortPair();
    const err = await sweep(port).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toBe(
      `no npm start answers on PORT ${port} (its queues on ${port + 1}): start it first, or set PORT as it has it\n`,
    );
  }, 30_000);
});
