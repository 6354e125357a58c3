import { startPostgres } from './test-helpers/pg-server.js';
import { describePgVectorSuite } from './test-helpers/suite.js';

// A throwaway PostgreSQL 15 cluster with pgvector (scripts/ci-setup.sh installs both), started on a
// free loopback port and driven through the real `pg` client.
describePgVectorSuite('guardPgVector on PostgreSQL 15 + pgvector', startPostgres);
