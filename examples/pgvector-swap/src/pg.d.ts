// The example's package.json has no `@types/pg`, and dependencies cannot be changed here: the
// slice of pg's API the example uses, typed as @types/pg 8.15 types it.
declare module 'pg' {
  interface QueryResult {
    // biome-ignore lint/suspicious/noExplicitAny: rows are untyped, as in @types/pg's default
    rows: any[];
    rowCount: number | null;
  }
  class Pool {
    constructor(config: { host?: string; port?: number; user?: string; database?: string; max?: number });
    query(text: string, values?: unknown[]): Promise<QueryResult>;
    end(): Promise<void>;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
}
