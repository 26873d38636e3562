import { ErrorCode } from './error-code';

/**
 * A failure the service means to report. The exception filter turns its code into the HTTP status;
 * `message` is shown to clients, so it never carries a secret. `headers` go on the response.
 */
export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra fields of the error body (e.g. `mfaToken` of MFA_REQUIRED); never a secret of the server. */
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DomainException';
  }
}
