/**
 * A setup file: hands the running test file's task tree to createTestDatabase, whose `drop()` keeps the
 * database when any test (or hook) of the file failed, the way pg-boss's test hooks keep a failed test's schema.
 */
import { beforeAll } from 'vitest';
import { rememberTestFile } from './test-database.ts';

beforeAll(({}, suite) => {
  rememberTestFile(suite.file);
});
