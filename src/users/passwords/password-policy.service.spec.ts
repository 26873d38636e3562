import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { PasswordPolicy } from './password-policy.service';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy();
  const context = { username: 'alice', email: 'alice.smith@example.com' };

  it('accepts a long enough uncommon password', () => {
    expect(policy.findProblem('correct horse battery', context)).toBeUndefined();
  });

  it('counts code points, not UTF-16 units or bytes', () => {
    expect(policy.findProblem('😀'.repeat(7), {})).toMatch(/at least 8/);
    expect(policy.findProblem('😀'.repeat(8), {})).toBeUndefined();
    expect(policy.findProblem('x'.repeat(257), {})).toMatch(/at most 256/);
    expect(policy.findProblem('x'.repeat(256), {})).toBeUndefined();
  });

  it.each([['password1'], ['PASSWORD1'], ['qwertyuiop']])('refuses the common password %p whatever its case', (password) => {
    expect(policy.findProblem(password, {})).toBe('Password is too common');
  });

  it('refuses a password of whitespace only', () => {
    expect(policy.findProblem(' '.repeat(12), {})).toBe('Password must not be only whitespace');
  });

  it.each([['ALICEXYZ12'], ['alice.smith@example.com'], ['ALICE.SMITH']])(
    'refuses %p when it equals the username, the email or its local part',
    (password) => {
      const problem = policy.findProblem(password, { username: 'alicexyz12', email: context.email });
      expect(problem).toBe('Password must not equal the username or email');
    },
  );

  it('keeps the password as given: no trimming', () => {
    expect(policy.findProblem('  alicexyz12  ', { username: 'alicexyz12' })).toBeUndefined();
  });

  it('throws a WEAK_PASSWORD domain exception', () => {
    expect(() => policy.assertAcceptable('short')).toThrow(DomainException);
    try {
      policy.assertAcceptable('short');
    } catch (error) {
      expect((error as DomainException).code).toBe(ErrorCode.WEAK_PASSWORD);
    }
  });
});
