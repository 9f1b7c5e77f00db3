import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SpoolCodec } from './open-spool.ts';

export interface SpooledRecord<T> {
  record: T;
  /** The segment file that holds it. */
  file: string;
  /** In a segment that could not be read as a whole and was set aside (`<dir>/damaged/`): never flushed. */
  damaged: boolean;
}

/**
 * Every record waiting in a spool directory, read without taking part in it: every owner's segments
 * (live or dead) and the damaged ones set aside. Nothing is moved, adopted or deleted, so a process that
 * owns a segment goes on as before. For tools that must see what waits (erasure by contact). A torn last
 * line, and any line that does not decode, is skipped. An absent directory holds nothing.
 */
export async function readSpooledRecords<T>(dir: string, codec: SpoolCodec<T>): Promise<SpooledRecord<T>[]> {
  const root = path.resolve(dir);
  const owners = await readdir(root, { withFileTypes: true }).catch(() => []);
  const records: SpooledRecord<T>[] = [];
  for (const owner of owners) {
    if (!owner.isDirectory()) continue;
    const ownerDir = path.join(root, owner.name);
    for (const file of (await readdir(ownerDir).catch(() => [] as string[])).sort()) {
      if (!file.endsWith('.jsonl')) continue;
      // A segment may be flushed and deleted while we look: it is then in the database.
      const text = await readFile(path.join(ownerDir, file), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          const parsed = JSON.parse(line) as { v?: unknown; lead?: unknown };
          if (parsed.v === 1) {
            records.push({ record: codec.decode(parsed.lead), file: path.join(ownerDir, file), damaged: owner.name === 'damaged' });
          }
        } catch {
          // torn or damaged: not a record anyone was told is stored
        }
      }
    }
  }
  return records;
}
