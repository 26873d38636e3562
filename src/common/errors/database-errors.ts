/** PostgreSQL error codes the service reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';

// Socket failures, server shutdown/termination (57P0x), and connection refusals by the server:
// database gone (3D000), authentication failed (28xxx), too many connections (53300).
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '3D000',
  '28000',
  '28P01',
  '53300',
]);

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

/** True when the database could not be reached, as opposed to a query it refused. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code !== undefined && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|not currently accepting connections/i.test(
    message,
  );
}
