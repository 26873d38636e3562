import type { IncomingMessage } from 'node:http';
import request, { type Response } from 'supertest';
import type { App } from 'supertest/types';
import { setCookies } from './http';
import type { HttpExample, Shape } from './readme-http';

/** Whether a real value may stand where the README shows an example value. */
export type ExampleCheck = (value: unknown) => boolean;

const PLACEHOLDER = /[^\s"]*…[^\s"]*|<[a-z][^>]*>/;

/**
 * Sends README examples as written, but for placeholders, and checks each answer against the one the
 * block states.
 *
 * What the README shows as a placeholder (a string with `…`, `<from the mail>`) or as an example value
 * (a literal listed in `exampleValues`: a uuid, a date, an API key, or a cookie attribute keyed by the
 * cookie's name, `csrf_token Max-Age=2591400`) stands for a value of the running
 * scenario. An answer binds it: where the block's answer shows `"accessToken": "eyJ…"`, later requests
 * that say `eyJ…` send that token, and a `Set-Cookie: sid=…` binds `sid=…`. The scenario binds the
 * others (a mailed token, a TOTP code) with {@link bind} or per request.
 */
export class ReadmeReplay {
  readonly replayed = new Set<string>();
  private readonly bound = new Map<string, string>();
  private readonly shownInAnswer = new Map<string, string>();

  constructor(
    private readonly http: App,
    private readonly examples: readonly HttpExample[],
    private readonly exampleValues: Readonly<Record<string, ExampleCheck>>,
  ) {}

  bind(readmeText: string, value: string): void {
    this.bound.set(readmeText, value);
  }

  /** Replays the block titled `title`; `also` binds placeholders (a bare `…` included) for this request only. */
  async replay(title: string, also: Record<string, string> = {}): Promise<Response> {
    const example = this.examples.find((candidate) => candidate.title === title);
    if (example === undefined) throw new Error(`no \`\`\`http block "${title}" in the README`);
    const substitute = this.substitution({ ...Object.fromEntries(this.bound), ...also }, example);
    const { method, path, headers, body } = example.request;

    let pending = request(this.http)[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](substitute(path));
    for (const [name, value] of headers) pending = pending.set(name, substitute(value));
    // supertest keeps a string as it is under a Content-Type it was given, and adds one of its own to a
    // string without; a Buffer it sends without one. Either way only the headers the block lists go out.
    const listsType = headers.some(([name]) => name.toLowerCase() === 'content-type');
    const payload = body === undefined ? undefined : substitute(body);
    const response = await (payload === undefined ? pending : pending.send(listsType ? payload : Buffer.from(payload)));

    const problems = this.answerProblems(example, response);
    if (problems.length > 0) {
      throw new Error(`README line ${example.line}, ${title}:\n  ${problems.join('\n  ')}`);
    }
    this.replayed.add(title);
    return response;
  }

  private substitution(bindings: Record<string, string>, example: HttpExample): (text: string) => string {
    const longestFirst = Object.keys(bindings).sort((a, b) => b.length - a.length);
    return (text) => {
      let result = text;
      for (const key of longestFirst) result = result.split(key).join(bindings[key]);
      const unresolved = PLACEHOLDER.exec(result)?.[0] ?? Object.keys(this.exampleValues).find((value) => result.includes(value));
      if (unresolved !== undefined) {
        throw new Error(`README line ${example.line}, ${example.title}: nothing bound to "${unresolved}" in ${text}`);
      }
      return result;
    };
  }

  private answerProblems(example: HttpExample, response: Response): string[] {
    const { answer } = example;
    this.shownInAnswer.clear();
    if (response.status !== answer.status) {
      const { code, message } = (response.body ?? {}) as { code?: unknown; message?: unknown };
      return [`status ${response.status} (${String(code)}: ${String(message)}), the README says ${answer.status}`];
    }
    const problems: string[] = [];
    if (answer.statusText !== undefined && reasonPhrase(response) !== answer.statusText) {
      problems.push(`status ${response.status} ${String(reasonPhrase(response))}, the README says ${answer.status} ${answer.statusText}`);
    }
    for (const [name, value] of answer.headers) {
      if (name.toLowerCase() === 'set-cookie') this.matchSetCookie(value, response, problems);
      else if (response.headers[name.toLowerCase()] !== value) {
        problems.push(`header ${name}: ${String(response.headers[name.toLowerCase()])}, the README says ${value}`);
      }
    }
    if (answer.listsEveryCookie === true) {
      const shown = answer.headers.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, value]) => value.split('=', 1)[0]);
      const unshown = [...setCookies(response).keys()].filter((name) => !shown.includes(name));
      if (unshown.length > 0) problems.push(`the answer sets cookies the README does not show: ${unshown.join(', ')}`);
    }
    if (answer.body !== undefined) this.match(answer.body, response.body, 'body', problems);
    return problems;
  }

  /** Binds a placeholder the answer shows; the same placeholder twice in one answer is one value (a cookie and the body). */
  private bindShown(placeholder: string, value: string, problems: string[]): void {
    const earlier = this.shownInAnswer.get(placeholder);
    if (earlier !== undefined && earlier !== value) problems.push(`${placeholder} stands for two different values in one answer`);
    this.shownInAnswer.set(placeholder, value);
    this.bound.set(placeholder, value);
  }

  private matchSetCookie(line: string, response: Response, problems: string[]): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const [name, value = ''] = pair.split('=', 2);
    const actual = setCookies(response).get(name);
    if (actual === undefined) {
      problems.push(`no Set-Cookie ${name}`);
      return;
    }
    if (value.includes('…')) {
      this.bound.set(`${name}=…`, `${name}=${actual.raw}`);
      if (value !== '…') this.bindShown(value, actual.raw, problems);
    } else if (actual.raw !== value) problems.push(`cookie ${name} is not the README's ${value}`);
    const expected = new Map(
      attributes.map((attribute) => {
        const [key, attributeValue] = attribute.split('=', 2);
        return [key.toLowerCase(), { shown: attribute, value: attributeValue ?? true }] as const;
      }),
    );
    const names = (keys: Iterable<string>) => [...keys].sort().join(', ');
    if (names(expected.keys()) !== names(Object.keys(actual.attributes))) {
      problems.push(`cookie ${name} has attributes ${names(Object.keys(actual.attributes))}, the README says ${names(expected.keys())}`);
    }
    for (const [key, { shown, value: attributeValue }] of expected) {
      const got = actual.attributes[key];
      if (got === undefined) continue;
      // An attribute such as `Max-Age=2591400` may be an example value, checked by the cookie's name.
      const check = this.exampleValues[`${name} ${shown}`];
      if (check !== undefined) {
        if (!check(got)) problems.push(`cookie ${name} ${key}=${String(got)} does not fit the README's example ${shown}`);
        continue;
      }
      const placeholder = typeof attributeValue === 'string' && attributeValue.includes('…');
      if (!placeholder && got !== attributeValue) {
        problems.push(`cookie ${name} ${key}=${String(got)}, the README says ${String(attributeValue)}`);
      }
    }
  }

  private match(expected: Shape, actual: unknown, at: string, problems: string[]): void {
    if (expected.kind === 'object') {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
        problems.push(`${at}: not an object`);
        return;
      }
      const members = actual as Record<string, unknown>;
      for (const [key, shape] of expected.members) {
        if (key in members) this.match(shape, members[key], `${at}.${key}`, problems);
        else problems.push(`${at}.${key} is missing`);
      }
      const extra = Object.keys(members).filter((key) => !expected.members.has(key));
      if (!expected.open && extra.length > 0) problems.push(`${at} has members the README does not show: ${extra.join(', ')}`);
      return;
    }
    if (expected.kind === 'array') {
      if (!Array.isArray(actual)) {
        problems.push(`${at}: not an array`);
        return;
      }
      const tooShort = actual.length < expected.items.length;
      if (tooShort || (!expected.open && actual.length !== expected.items.length)) {
        problems.push(`${at} has ${actual.length} elements, the README shows ${expected.items.length}${expected.open ? ' or more' : ''}`);
        return;
      }
      expected.items.forEach((item, index) => this.match(item, actual[index], `${at}[${index}]`, problems));
      return;
    }
    const { value } = expected;
    if (typeof value === 'string' && value.includes('…')) {
      if (typeof actual !== 'string' || actual === '') problems.push(`${at}: ${typeof actual}, the README shows a string`);
      else if (value !== '…') this.bindShown(value, actual, problems);
      return;
    }
    const example = String(value);
    const check = this.exampleValues[example];
    if (check !== undefined) {
      const boundTo = this.bound.get(example);
      if (boundTo !== undefined ? String(actual) !== boundTo : !check(actual)) {
        // Not the value itself: it may be a token or a key.
        problems.push(`${at}: a ${typeof actual} that does not fit the README's example ${example}`);
      } else this.bound.set(example, String(actual));
      return;
    }
    if (actual !== value) problems.push(`${at}: ${JSON.stringify(actual)}, the README says ${JSON.stringify(value)}`);
  }
}

/** The status line's reason phrase (superagent keeps node's response, but its types leave it out). */
function reasonPhrase(response: Response): string | undefined {
  return (response as unknown as { res?: IncomingMessage }).res?.statusMessage;
}
