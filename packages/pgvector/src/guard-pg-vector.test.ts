import { startPglite } from './test-helpers/pglite-server.js';
import { describePgVectorSuite } from './test-helpers/suite.js';

// PGlite 0.5.14 (WASM PostgreSQL) with @electric-sql/pglite-pgvector, served on 127.0.0.1 by
// @electric-sql/pglite-socket and driven through the real `pg` client.
describePgVectorSuite('guardPgVector on PGlite + pgvector (pg over pglite-socket)', startPglite);
