import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from './parse-lossless-json.ts';

describe('parseLosslessJson', () => {
  it('when an id is a 17-digit JSON number, then it comes back as its exact text', () => {
    const parsed = parseLosslessJson('{"leadgen_id":12345678901234567,"nested":[{"page_id":99999999999999999}]}');
    expect(parsed).toEqual({ leadgen_id: '12345678901234567', nested: [{ page_id: '99999999999999999' }] });
  });

  it('when numbers are safe integers or decimals, then they stay numbers', () => {
    expect(parseLosslessJson('{"time":1520383571,"ratio":0.5,"big":1e21,"neg":-3}')).toEqual({
      time: 1520383571,
      ratio: 0.5,
      big: 1e21,
      neg: -3,
    });
  });

  it('when the text is not JSON, then it throws like JSON.parse', () => {
    expect(() => parseLosslessJson('{"a":')).toThrow(SyntaxError);
  });
});
