import type { RequestHandler } from 'express';

/** Credentials and personal data must never sit in a shared or browser cache. */
export const noStore: RequestHandler = (_request, response, next) => {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
  next();
};
