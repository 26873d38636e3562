/**
 * A link for a mail: `path` appended to APP_URL's own path (an app served under /accounts gets
 * /accounts/verify-email), with the token as a query parameter. Never built from a request's Host.
 */
export function appLink(appUrl: string, path: string, token: string): string {
  const link = new URL(appUrl);
  link.pathname = `${link.pathname.replace(/\/+$/, '')}/${path}`;
  link.searchParams.set('token', token);
  return link.toString();
}
