import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/test-database.ts';
import { leadlineProcessEnv, spawnLeadline } from '../helpers/spawn-leadline.ts';
import { postJson } from '../helpers/start-test-leadline.ts';
import { waitFor } from '../stubs/wait-for.ts';

/*
 * `npm start` in a terminal shows pretty lines; piped (a container, a log shipper) it writes JSON lines. Both
 * threads of ROLE=all must agree, though the worker thread's stdout is never a terminal: the log channel's
 * alert, written by the worker thread, is the line that shows it. util-linux `script` gives the child a real
 * pseudo-terminal. The thread is asked for (WORKER_THREAD=true): on fewer than four cores ROLE=all runs one event loop.
 */

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const SCRIPT = '/usr/bin/script';
const db = await createTestDatabase('log_format');
afterAll(() => db.drop());

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');

describe('log format by terminal', () => {
  it('when stdout is a pipe, then both threads write JSON lines', async () => {
    const child = await spawnLeadline({ DATABASE_URL: db.url, ROLE: 'all', WORKER_THREAD: 'true' });
    try {
      const created = await postJson(`${child.url}/api/leads`, { name: 'Piped Person', email: 'piped@example.com' });
      expect(created.status).toBe(201);
      await waitFor(() => child.stdout().includes('"channel":"log"'), 15_000, 'the log channel alert');
      const lines = child
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      const parsed = lines.map((line) => JSON.parse(line) as { thread?: string; channel?: string; msg: string });
      expect(parsed.some((line) => line.thread === 'worker' && line.channel === 'log')).toBe(true);
      expect(parsed.some((line) => line.thread === undefined && line.msg.startsWith('Leadline is running'))).toBe(true);
      // Everything else on stdout is the first-run banner (blank or indented lines).
      expect(
        child
          .stdout()
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('{') && !line.startsWith('  ')),
      ).toEqual([]);
    } finally {
      child.kill();
      await child.exited;
    }
  });

  it('when stdout is a terminal, then both threads write pretty lines, the worker thread included', async () => {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} (util-linux) is missing: it gives the child a pseudo-terminal`);
    const child = spawn(SCRIPT, ['-qefc', `${process.execPath} ${MAIN}`, '/dev/null'], {
      env: leadlineProcessEnv({ DATABASE_URL: db.url, ROLE: 'all', WORKER_THREAD: 'true', TERM: 'xterm' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => /Leadline is running at http:\/\/\S+/.test(stripAnsi(output)), 30_000, 'the service to start');
      const url = /Leadline is running at (http:\/\/[^\s)]+)/.exec(stripAnsi(output))![1]!;
      const created = await postJson(`${url}/api/leads`, { name: 'Terminal Person', email: 'terminal@example.com' });
      expect(created.status).toBe(201);
      await waitFor(() => /channel: "log"/.test(stripAnsi(output)), 15_000, 'the log channel alert in pretty form');

      const text = stripAnsi(output);
      expect(text.split('\n').filter((line) => line.startsWith('{"level"'))).toEqual([]);
      expect(text).toMatch(/INFO.*Leadline is running at/);
      // pino-pretty prints an entry's fields on the lines under it: the alert's carry the worker thread's label.
      const alert = text.slice(text.search(/channel: "log"/) - 2_000);
      expect(alert).toContain('thread: "worker"');
      expect(output).toMatch(/\u001b\[/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
