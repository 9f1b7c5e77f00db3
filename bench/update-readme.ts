/**
 * The README's benchmark table lives between two markers and is rewritten by the reference bench run, so
 * every figure in the README is one of bench/results.md of the same commit (test/docs checks they agree).
 */
import { readFile, writeFile } from 'node:fs/promises';

export const README_BENCH_START = '<!-- bench:start (written by npm run bench; do not edit) -->';
export const README_BENCH_END = '<!-- bench:end -->';

export async function replaceReadmeTable(readmeFile: string, table: string): Promise<void> {
  const readme = await readFile(readmeFile, 'utf8');
  const start = readme.indexOf(README_BENCH_START);
  const end = readme.indexOf(README_BENCH_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no benchmark markers (${README_BENCH_START} … ${README_BENCH_END}); add them where the table belongs`);
  }
  await writeFile(readmeFile, `${readme.slice(0, start + README_BENCH_START.length)}\n${table}\n${readme.slice(end)}`);
}
