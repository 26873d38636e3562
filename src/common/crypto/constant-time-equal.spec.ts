import { constantTimeEqual } from './constant-time-equal';

describe('constantTimeEqual', () => {
  it('is true for equal strings only', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('never matches a missing or empty expected value', () => {
    expect(constantTimeEqual('', '')).toBe(false);
    expect(constantTimeEqual(undefined, undefined)).toBe(false);
    expect(constantTimeEqual('abc', undefined)).toBe(false);
  });

  it('compares bytes, so different unicode spellings differ', () => {
    expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
  });
});
