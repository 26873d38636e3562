import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by assignRequestId, sent back in X-Request-Id and named in the request's log lines. */
    id?: string;
  }
}

/**
 * Gives every request an id first thing, in `X-Request-Id`, so even an error raised by an early
 * middleware can be found in the log. A client-sent id is not trusted (log injection).
 */
export const assignRequestId: RequestHandler = (request, response, next) => {
  const id = randomUUID();
  request.id = id;
  response.setHeader('X-Request-Id', id);
  next();
};
