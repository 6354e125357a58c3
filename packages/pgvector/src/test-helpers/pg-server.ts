// A throwaway PostgreSQL 15 cluster with pgvector (installed by scripts/ci-setup.sh): initdb into a
// temp dir, started on a free loopback port (as the postgres user when running as root, since
// root cannot run postgres), stopped and deleted afterwards.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PgServer {
  engine: string;
  config: { host: string; port: number; user: string; database: string };
  stop(): Promise<void>;
}

const BIN = process.env.MEMGAR_PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startPostgres(): Promise<PgServer> {
  if (!existsSync(path.join(BIN, 'initdb')))
    throw new Error(`no PostgreSQL at ${BIN}: run packages/pgvector/scripts/ci-setup.sh as root first`);
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'memgar-pg-'));
  const uid = root ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
  if (uid !== undefined) chownSync(dir, uid, uid);
  const as = (cmd: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(BIN, cmd), args, { stdio: 'pipe' });
  const data = path.join(dir, 'data');
  as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`;
  as('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  const version = as('postgres', ['--version']).toString().trim();
  return {
    engine: version,
    config: { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' },
    async stop() {
      try {
        as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
