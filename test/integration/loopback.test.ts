import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { startStack } from '../../local/stack.js';

/** The TCP sockets this process listens on, read from /proc: address (hex, as the kernel writes it) and port. */
const listeningSockets = () => {
  const inodes = new Set(
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1]].filter((i): i is string => i !== undefined);
      } catch {
        return [];
      }
    }),
  );
  return ['tcp', 'tcp6'].flatMap((file) =>
    readFileSync(`/proc/net/${file}`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[3] === '0A' && inodes.has(f[9]!))
      .map((f) => {
        const [address, port] = f[1]!.split(':') as [string, string];
        return { file, address, port: Number.parseInt(port, 16) };
      }),
  );
};

/** 127.0.0.0/8, ::1, or ::ffff:127.x.x.x; the kernel writes each 32-bit word in host (little-endian) order. */
const isLoopback = ({ address }: { address: string }) => {
  if (address.length === 8) return address.endsWith('7F');
  return address === '00000000000000000000000001000000' || (address.startsWith('0000000000000000FFFF0000') && address.endsWith('7F'));
};

let stack: Stack;
beforeAll(async () => {
  // The demo stack, as `npm start` runs it: every simulator, the embedded SQS server and the webhook front.
  stack = await startStack({ port: 0, env: { ...process.env, SCANHOOK_CONFIG: '' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('local mode listens on loopback only', () => {
  it('reads this process listening sockets (the check sees the stack)', () => {
    const ports = listeningSockets().map((s) => s.port);
    const started = [stack.url, stack.acr.url, stack.sas.url, stack.swr.url, stack.hss.url, stack.iam.url, stack.chat.url, stack.queues.address];
    for (const url of started) expect(ports).toContain(Number(new URL(url).port));
  });

  it('no listening TCP socket of this process is bound to a non-loopback address', () => {
    const sockets = listeningSockets();
    expect(sockets.length).toBeGreaterThanOrEqual(8);
    expect(sockets.filter((s) => !isLoopback(s))).toEqual([]);
  });

  it('the embedded SQS server answers on 127.0.0.1 only', async () => {
    expect(new URL(stack.queues.address).hostname).toBe('127.0.0.1');
    expect((await fetch(`${stack.queues.address}/health`)).status).toBe(200);
  });
});
