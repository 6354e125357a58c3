// A local Chroma server from the npm bindings (chromadb-js-bindings-linux-x64-gnu 1.0.5, the
// version whose native binary needs only glibc 2.34), on 127.0.0.1 with its data in a temp dir.
// The binding's `cli` blocks the thread that calls it, so it runs in a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalChroma {
  host: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chroma exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v2/heartbeat`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`chroma did not answer on 127.0.0.1:${port}`);
}

/** Starts Chroma and resolves once its heartbeat answers; `stop()` kills it and removes its data. */
export async function startLocalChroma(): Promise<LocalChroma> {
  const binding = createRequire(import.meta.url).resolve('chromadb-js-bindings-linux-x64-gnu');
  const dir = mkdtempSync(join(tmpdir(), 'chroma-swap-'));
  const port = await freePort();
  const args = ['chroma', 'run', '--path', dir, '--host', '127.0.0.1', '--port', String(port)];
  const child = spawn(
    process.execPath,
    ['-e', `require(${JSON.stringify(binding)}).cli(${JSON.stringify(args)})`],
    {
      stdio: 'ignore',
    },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGKILL');
    });
  try {
    await waitReady(port, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port, stop };
}
