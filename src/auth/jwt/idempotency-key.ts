import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

// A UUID, ULID, or base64(url) value fits; quotes allowed as in the IETF draft's sf-string form.
const KEY_FORMAT = /^(?:"([A-Za-z0-9._~:+/=-]{8,128})"|([A-Za-z0-9._~:+/=-]{8,128}))$/;

/**
 * The refresh's `Idempotency-Key`, or undefined when none was sent. A malformed one (empty, too
 * long, other characters, sent twice) is 400: a client that means to retry safely must know at once.
 */
export function readIdempotencyKey(request: Request): string | undefined {
  const raw = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  const match = typeof raw === 'string' ? KEY_FORMAT.exec(raw) : null;
  const key = match?.[1] ?? match?.[2];
  if (key === undefined) {
    throw new DomainException(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key must be 8 to 128 characters of [A-Za-z0-9._~:+/=-]');
  }
  return key;
}
