/** The header that carries the CSRF token on unsafe requests a cookie authenticates (both flavours). */
export const CSRF_HEADER = 'X-CSRF-Token';
