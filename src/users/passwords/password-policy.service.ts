import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

export interface PasswordContext {
  readonly username?: string;
  readonly email?: string;
}

/**
 * NIST SP 800-63B: length in code points, a blocklist of common passwords, no context words,
 * no composition rules. The password is checked exactly as given: no trimming, no case-folding.
 */
@Injectable()
export class PasswordPolicy {
  assertAcceptable(password: string, context: PasswordContext = {}): void {
    const problem = this.findProblem(password, context);
    if (problem !== undefined) throw new DomainException(ErrorCode.WEAK_PASSWORD, problem);
  }

  findProblem(password: string, context: PasswordContext): string | undefined {
    const length = [...password].length;
    if (length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters`;
    if (length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters`;
    if (password.trim().length === 0) return 'Password must not be only whitespace';
    const folded = password.toLowerCase();
    if (COMMON_PASSWORDS.has(folded)) return 'Password is too common';
    const contextWords = [context.username, context.email, context.email?.split('@')[0]];
    if (contextWords.some((word) => word !== undefined && word.length > 0 && word.toLowerCase() === folded)) {
      return 'Password must not equal the username or email';
    }
    return undefined;
  }
}
