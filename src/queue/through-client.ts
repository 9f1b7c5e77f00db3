import type { PoolClient } from '../db/create-pool.ts';

/**
 * pg-boss's adapter for one of our connections: jobs sent through it join the transaction that connection
 * has open, so a job exists if and only if the rows written beside it commit.
 */
export function throughClient(client: PoolClient): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } {
  return { executeSql: async (text, values) => client.query(text, values) };
}
