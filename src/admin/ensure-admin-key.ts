import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The admin key from the environment, or (embedded mode only) one generated on first start and kept in
 * `<home>/admin-api-key` so it survives restarts.
 */
export async function ensureAdminKey(configured: string | undefined, homeDir: string): Promise<{ key: string; generated: boolean }> {
  if (configured) return { key: configured, generated: false };
  const file = path.resolve(homeDir, 'admin-api-key');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 16) return { key: stored, generated: false };
  } catch {
    // first start: generate below
  }
  const key = `ll_${randomBytes(24).toString('base64url')}`;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true };
}
