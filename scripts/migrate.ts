/**
 * `npm run migrate`: applies the numbered SQL files in migrations/ to DATABASE_URL (or the embedded database).
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config/load-config.ts';
import { createPool } from '../src/db/create-pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-database.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
try {
  const config = loadConfig(process.env, { requireAdminKey: false });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, homeDir: config.homeDir });
  const pool = createPool({ connectionString: database.url, max: 1, applicationName: 'leadline-migrate' });
  try {
    console.log(`migrating ${database.embedded ? 'the embedded database' : 'DATABASE_URL'} …`);
    const result = await migrate(pool, { onApplied: (name) => console.log(`  applied ${name}`) });
    console.log(`done: ${result.applied.length} applied, ${result.alreadyApplied} already there`);
  } finally {
    await pool.end();
    await database.embedded?.stop();
  }
} catch (error) {
  console.error(
    `migrate failed: ${(error as Error).message}${error instanceof ConfigError ? '' : ' (check DATABASE_URL and that the database is reachable)'}`,
  );
  process.exit(1);
}
