// PGlite (WASM PostgreSQL) with its pgvector extension, served over the PostgreSQL wire protocol on
// 127.0.0.1 by pglite-socket, so the tests drive it with the real `pg` client.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PgServer } from './pg-server.js';

export async function startPglite(): Promise<PgServer> {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    engine: `PGlite ${db.constructor.name} (PostgreSQL ${(await db.query<{ v: string }>('SHOW server_version')).rows[0]?.v})`,
    config: { host: host ?? '127.0.0.1', port: Number(port), user: 'postgres', database: 'postgres' },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
