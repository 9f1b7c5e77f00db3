import { describe, expect, it } from 'vitest';
import { chooseLogFormat } from './choose-log-format.ts';

describe('chooseLogFormat', () => {
  it('when LOG_FORMAT is auto, then a terminal gets pretty lines and anything else JSON', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
  });

  it('when LOG_FORMAT names a format, then that format is used whatever stdout is', () => {
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });
});
