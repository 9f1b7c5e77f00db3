import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lints `source` as if it were the file at `path`, and returns the messages of the import rules. */
async function importProblems(path: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(source, { filePath: `${ROOT}${path}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('imports follow the data flow', () => {
  it.each([
    ['src/sla/import-probe.ts', '../capture/capture-lead.ts'],
    ['src/delivery/import-probe.ts', '../relay/start-relay.ts'],
    ['src/capture/import-probe.ts', '../channels/channel.ts'],
    ['src/capture/import-probe.ts', '../delivery/delivery-job.ts'],
    ['src/channels/import-probe.ts', '../capture/lead-draft.ts'],
    ['src/channels/import-probe.ts', '../delivery/delivery-job.ts'],
    ['src/events/import-probe.ts', '../relay/start-relay.ts'],
    ['src/capture/import-probe.ts', '../embed/embed-routes.ts'],
    ['src/delivery/import-probe.ts', '../lifecycle/erase-lead.ts'],
    ['src/capture/import-probe.ts', '../lifecycle/erase-lead.ts'],
    ['src/lifecycle/import-probe.ts', '../admin/get-lead-detail.ts'],
  ])('when %s imports %s, then lint refuses it', async (path, imported) => {
    const problems = await importProblems(path, `import * as probe from '${imported}';\nexport const used = probe;\n`);
    expect(problems).toEqual([expect.stringContaining('runs against the data flow')]);
  });

  it('when a module imports along the flow (delivery takes the channels), then lint accepts it', async () => {
    expect(
      await importProblems(
        'src/delivery/import-probe.ts',
        `import * as probe from '../channels/channel.ts';\nexport const used = probe;\n`,
      ),
    ).toEqual([]);
  });
});
