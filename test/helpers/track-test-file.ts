/**
 * A setup file: hands the running test file's task tree to createTestDatabase, whose `drop()` keeps the
 * database when any test (or hook) of the file failed, the way pg-boss's test hooks keep a failed test's schema.
 * Set while the file is collected (a file may create its database at the top level, to read the app's route
 * table at collection time) and again when it starts running.
 */
import { beforeAll, TestRunner } from 'vitest';
import { rememberTestFile } from './test-database.ts';

rememberTestFile(TestRunner.getCurrentSuite().file);

beforeAll(({}, suite) => {
  rememberTestFile(suite.file);
});
