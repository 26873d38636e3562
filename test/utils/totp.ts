import { Secret, TOTP } from 'otpauth';

/** The service's TOTP parameters, as an authenticator app uses them: SHA-1, 6 digits, 30 s steps. */
export const TOTP_PERIOD_SECONDS = 30;

/** The code of a base32 secret at a moment (milliseconds). */
export function totpCodeAt(secret: string, timestampMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS }).generate({
    timestamp: timestampMs,
  });
}

/** The code of the step `offset` steps from now (-1, 0, 1). */
export function totpCode(secret: string, offset = 0): string {
  return totpCodeAt(secret, Date.now() + offset * TOTP_PERIOD_SECONDS * 1000);
}
