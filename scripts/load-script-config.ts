import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../src/config/load-config.ts';

/**
 * The configuration a script runs with: the same variables (and `.env` in the working directory) as the
 * service, without requiring the admin key. A bad value ends the script with one line naming it, prefixed by
 * the script's name, and exit code 1.
 */
export function loadScriptConfig(scriptName: string): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env, { requireAdminKey: false });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${scriptName}: ${error.message}`);
    process.exit(1);
  }
}
