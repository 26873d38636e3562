import type { Request } from 'express';
import type { Strategy } from 'passport';

export type StrategyOutcome<TUser> =
  | { readonly kind: 'success'; readonly user: TUser }
  | { readonly kind: 'fail'; readonly challenge?: unknown }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Runs one passport strategy *instance* on a request, the way passport.authenticate() does, but
 * without passport's process-wide strategy registry: there, every app instance in a process (two
 * instances in one test, or several Nest apps in one server) would use whichever registered last.
 */
export function runStrategy<TUser>(strategy: Strategy, request: Request): Promise<StrategyOutcome<TUser>> {
  return new Promise((resolve) => {
    // passport's own pattern: a per-request object inheriting the strategy, given the callbacks.
    const attempt = Object.create(strategy) as {
      success(user: TUser): void;
      fail(challenge?: unknown): void;
      error(error: unknown): void;
      redirect(): void;
      pass(): void;
      authenticate(request: Request, options: object): void;
    };
    attempt.success = (user) => resolve({ kind: 'success', user });
    attempt.fail = (challenge) => resolve({ kind: 'fail', challenge });
    attempt.error = (error) => resolve({ kind: 'error', error });
    attempt.redirect = () => resolve({ kind: 'fail' });
    attempt.pass = () => resolve({ kind: 'fail' });
    attempt.authenticate(request, {});
  });
}
