import type { Request } from 'express';

/** Where a request came from, as recorded with audit events and logins. */
export interface RequestContext {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export function requestContext(request: Request): RequestContext {
  return { ip: request.ip?.slice(0, 64) ?? null, userAgent: request.get('user-agent')?.slice(0, 512) ?? null };
}
