/** PostgreSQL error codes the service reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK_DETECTED = '40P01';

// Socket failures, and what the server answers when it cannot serve: shutdown, termination or a
// dropped database (57P0x), a cancelled statement (57014: statement_timeout), database gone
// (3D000), authentication failed (28xxx), insufficient resources (53xxx: too many connections,
// out of memory, disk full), system errors (58xxx), a lock not granted in time (55P03), and a
// transaction that lost a serialisation conflict or deadlock (40001, 40P01) once its retries ran out.
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57014',
  '3D000',
  '55P03',
  PG_SERIALIZATION_FAILURE,
  PG_DEADLOCK_DETECTED,
]);
const UNAVAILABLE_CLASSES = ['08', '28', '53', '57P', '58'];

// What pg and TypeORM say, without a code, when a connection dies or cannot be had.
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|connect ECONNREFUSED|timeout exceeded when trying to connect|Query read timeout|not currently accepting connections|Cannot use a pool after calling end|Connection is not established|the database system is (starting up|shutting down|in recovery mode)/i;

export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const withCode = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = withCode.driverError?.code ?? withCode.code;
  return typeof code === 'string' ? code : undefined;
}

export function pgConstraint(error: unknown): string | undefined {
  const withConstraint = error as { constraint?: unknown; driverError?: { constraint?: unknown } } | null;
  const constraint = withConstraint?.driverError?.constraint ?? withConstraint?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/**
 * True when the database could not be reached or could not serve, as opposed to a query it refused.
 * Looks through TypeORM's `driverError`, `cause` chains and AggregateError's `errors` (a refused
 * connect to several addresses).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const code = pgErrorCode(error);
  if (code !== undefined && (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_CLASSES.some((prefix) => code.startsWith(prefix))))
    return true;
  const message = error instanceof Error ? error.message : '';
  if (UNAVAILABLE_MESSAGE.test(message)) return true;
  const nested = error as { driverError?: unknown; cause?: unknown; errors?: unknown };
  if (nested.driverError !== undefined && isDatabaseUnavailable(nested.driverError, depth + 1)) return true;
  if (nested.cause !== undefined && isDatabaseUnavailable(nested.cause, depth + 1)) return true;
  return Array.isArray(nested.errors) && nested.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

/** A conflict PostgreSQL resolved by aborting the transaction: running it again is safe. */
export function isRetryableConflict(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code === PG_SERIALIZATION_FAILURE || code === PG_DEADLOCK_DETECTED;
}

const CONFLICT_ATTEMPTS = 3;

/**
 * Runs a whole transaction again when PostgreSQL aborted it for a serialisation failure or a
 * deadlock, at most {@link CONFLICT_ATTEMPTS} times; the last failure propagates (503). Only for
 * transactions with no effect outside the database before they commit.
 */
export async function retryOnConflict<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= CONFLICT_ATTEMPTS || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
