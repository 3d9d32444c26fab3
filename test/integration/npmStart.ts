import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** `npm start` as a child process: `tsx local/start.ts` in the project, on Node 22 (the node running the tests). */
export const PROJECT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

const portIsFree = (port: number, host = '127.0.0.1') =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });

/** A port P whose P + 1 is free too: npm start takes both (webhooks, SQS). */
export const freePortPair = async (): Promise<number> => {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error('no two free ports in a row');
};

export interface NpmStart {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until npm start has printed its banner (it is serving), or fails with what it printed. */
  ready(timeoutMs?: number): Promise<void>;
  /** Waits until `probe(stdout)` holds. */
  waitFor(probe: (stdout: string) => boolean, timeoutMs: number, what: string): Promise<void>;
  /** kill -9 of the whole process group (tsx and the node it runs), then waits until every one of them is gone. */
  kill9(): Promise<void>;
  /**
   * kill -9 the moment the output read so far satisfies `probe` (checked on every chunk as it arrives, so the kill
   * lands within a millisecond or so of the line that triggers it), or after `timeoutMs`; then as kill9.
   */
  kill9When(probe: (stdout: string) => boolean, timeoutMs: number): Promise<void>;
  /** Ctrl-C; falls back to kill -9 after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export const npmStart = (opts: { port: number; env?: Record<string, string>; args?: string[] }): NpmStart => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(opts.port), ...opts.env };
  delete env.SCANHOOK_CONFIG;
  delete env.HOST;
  // Its own process group: kill -9 reaches tsx and the node process it starts for the script.
  const child = spawn(process.execPath, [TSX, 'local/start.ts', ...(opts.args ?? [])], {
    cwd: PROJECT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const waitFor = async (probe: (stdout: string) => boolean, timeoutMs: number, what: string) => {
    const end = Date.now() + timeoutMs;
    while (!probe(out)) {
      if (gone) throw new Error(`npm start exited while waiting for ${what}:\n${out.slice(-2000)}\n${err.slice(-2000)}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${out.slice(-2000)}\n${err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const kill9 = async () => {
    if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const end = Date.now() + 10_000;
    while (groupAlive() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  };
  const kill9When = async (probe: (stdout: string) => boolean, timeoutMs: number) => {
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!probe(out)) return;
        if (groupAlive()) process.kill(-child.pid!, 'SIGKILL');
        done();
      };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      };
      child.stdout!.on('data', check);
      check();
    });
    await kill9();
  };

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    ready: (timeoutMs = 30_000) => waitFor((o) => o.includes('stop:      Ctrl-C'), timeoutMs, 'npm start to serve'),
    waitFor,
    kill9,
    kill9When,
    async stop(graceMs = 15_000) {
      if (gone) return;
      process.kill(-child.pid!, 'SIGINT');
      const timer = setTimeout(() => void kill9(), graceMs);
      await exited;
      clearTimeout(timer);
      await kill9();
    },
  };
};

/** The chat posts npm start printed (local/terminal.ts's describeChatPost): target and text. */
export const chatPosts = (stdout: string): { target: string; text: string }[] =>
  [...stdout.matchAll(/┌─+\n│ chat message → ([^\n]+)\n([\s\S]*?)\n└─+/g)].map((m) => ({
    target: m[1]!,
    text: m[2]!
      .split('\n')
      .map((l) => l.replace(/^│ ?/, ''))
      .join('\n'),
  }));
