/* global window, document, location, fetch, URLSearchParams */
// A framework-free SPA: the browser tests call window.spa.* through page.evaluate. The API's base
// URL comes from ?api=…; every call goes with credentials: 'include', as a real cookie SPA's would.
'use strict';

(function () {
  const api = new URLSearchParams(location.search).get('api');
  // Kept in memory only, as the README advises: a reload loses them.
  let sessionCsrf = null;
  let tokens = null;

  const shorten = (value) => (typeof value === 'string' && value.length > 24 ? value.slice(0, 12) + '…' : value);
  const redact = (body) => {
    if (body === null || typeof body !== 'object') return body;
    const copy = {};
    for (const [key, value] of Object.entries(body)) copy[key] = /token/i.test(key) ? shorten(value) : value;
    return copy;
  };

  function render(state) {
    if (state !== undefined) document.getElementById('state').textContent = state;
    document.getElementById('cookies').textContent = document.cookie || '(none)';
  }

  function log(line) {
    document.getElementById('log').textContent += line + '\n';
    render();
  }

  function readCookie(name) {
    const entry = document.cookie.split('; ').find((part) => part.startsWith(name + '='));
    return entry === undefined ? null : decodeURIComponent(entry.slice(name.length + 1));
  }

  /** One call to the API; resolves to {status, body} or, when the browser refuses, {error}. */
  async function call(method, path, options = {}) {
    const headers = { ...(options.headers || {}) };
    const init = { method, credentials: 'include', headers };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    try {
      const response = await fetch(api + path, init);
      const text = await response.text();
      let body = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = text;
      }
      log(`${method} ${path} -> ${response.status} ${JSON.stringify(redact(body))}`);
      return { status: response.status, body };
    } catch (error) {
      log(`${method} ${path} -> fetch rejected: ${error}`);
      return { error: String(error) };
    }
  }

  const bearer = () => ({ Authorization: 'Bearer ' + (tokens ? tokens.accessToken : '') });

  window.spa = {
    api,
    call,
    cookies: () => document.cookie,
    readCookie,
    state: render,

    // Session flavour: the CSRF token lives in memory.
    async sessionLogin(username, password) {
      const result = await call('POST', '/auth/session/login', { body: { username, password } });
      if (result.status === 200) sessionCsrf = result.body.csrfToken;
      render(result.status === 200 ? 'session: logged in' : 'session: login failed');
      return result;
    },
    async fetchSessionCsrf() {
      const result = await call('GET', '/auth/session/csrf');
      if (result.status === 200) sessionCsrf = result.body.csrfToken;
      return result;
    },
    hasSessionCsrf: () => sessionCsrf !== null,
    /** An unsafe request with the session cookie, with or without the in-memory CSRF token. */
    sessionUnsafe(method, path, body, withCsrf) {
      return call(method, path, { body, headers: withCsrf && sessionCsrf !== null ? { 'X-CSRF-Token': sessionCsrf } : {} });
    },

    // JWT cookie transport: the CSRF token is read from the csrf_token cookie (same site only).
    async jwtCookieLogin(username, password) {
      const result = await call('POST', '/auth/jwt/login', { body: { username, password, transport: 'cookie' } });
      render(result.status === 200 ? 'jwt cookie: logged in' : 'jwt cookie: login failed');
      return result;
    },
    /** An unsafe request with the access_token cookie; X-CSRF-Token from the csrf_token cookie. */
    cookieUnsafe(method, path, body, withCsrf) {
      const csrf = readCookie('csrf_token');
      return call(method, path, { body, headers: withCsrf && csrf !== null ? { 'X-CSRF-Token': csrf } : {} });
    },

    // Bearer flavour: tokens in memory, sent in the Authorization header.
    async bearerLogin(username, password) {
      const result = await call('POST', '/auth/jwt/login', { body: { username, password } });
      if (result.status === 200) tokens = result.body;
      render(result.status === 200 ? 'bearer: logged in' : 'bearer: login failed');
      return result;
    },
    bearerCall(method, path, body) {
      return call(method, path, { body, headers: bearer() });
    },
    async bearerRefresh() {
      const result = await call('POST', '/auth/jwt/refresh', { body: { refreshToken: tokens ? tokens.refreshToken : '' } });
      if (result.status === 200) tokens = result.body;
      return result;
    },
    bearerTokens: () => tokens,
  };

  document.getElementById('origin').textContent = location.origin;
  document.getElementById('api').textContent = api;
  render();
})();
