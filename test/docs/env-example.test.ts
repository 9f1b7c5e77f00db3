import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../src/config/load-config.ts';

const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), 'utf8');

/** `# PORT=3000` and `PORT=3000`: the variables a line sets or shows commented out. */
function variablesOfEnvFile(text: string): string[] {
  return [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);
}

/** The first column of every table row in docs/configuration.md: `` | `EMAIL_USER`, `EMAIL_PASS` | … ``. */
function variablesOfReference(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('.env.example and docs/configuration.md name every variable', () => {
  it('when .env.example is read, then it names each variable the config schema reads, once, and no other', () => {
    const named = variablesOfEnvFile(read('.env.example'));
    expect(
      named.filter((name, index) => named.indexOf(name) !== index),
      'named twice',
    ).toEqual([]);
    expect(sorted(ENVIRONMENT_VARIABLES.filter((name) => !named.includes(name))), 'missing from .env.example').toEqual([]);
    expect(sorted(named.filter((name) => !ENVIRONMENT_VARIABLES.includes(name))), 'unknown to the config schema').toEqual([]);
  });

  it('when docs/configuration.md is read, then its tables name each variable the schema reads and no other', () => {
    const named = variablesOfReference(read('docs/configuration.md'));
    expect(sorted(ENVIRONMENT_VARIABLES.filter((name) => !named.includes(name))), 'missing from docs/configuration.md').toEqual([]);
    expect(sorted(named.filter((name) => !ENVIRONMENT_VARIABLES.includes(name))), 'unknown to the config schema').toEqual([]);
  });

  it('when every uncommented value of .env.example is set, then the config loads: the shown defaults and examples are valid', () => {
    const values = Object.fromEntries(
      [...read('.env.example').matchAll(/^#\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)]
        .map((match) => [match[1]!, match[2]!.trim()] as const)
        // Placeholders (`whsec_...`) and the fault switch are there to be filled in, not to be run as they are.
        .filter(([name, value]) => !value.includes('...') && !name.startsWith('FAULT_POINT') && !name.startsWith('OUTBOUND_WEBHOOK')),
    );
    expect(() => loadConfig(values)).not.toThrow();
  });
});
