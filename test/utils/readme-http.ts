/**
 * The README's ```http blocks, parsed: a request (request line, headers, blank line, optional body)
 * and the answer the block states (`200 {…}`, `204`, or `HTTP/1.1 200 OK` with headers and a body).
 * Answer bodies are JSON in which `…` may stand for further members or elements.
 */

export interface HttpRequestExample {
  readonly method: string;
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

export interface HttpAnswerExample {
  readonly status: number;
  /** The reason phrase, where the answer shows one that must be checked (`Forbidden` of `HTTP/1.1 403 Forbidden`). */
  readonly statusText?: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Whether the Set-Cookie lines shown are all the cookies the answer sets, as in a curl -i transcript. */
  readonly listsEveryCookie?: boolean;
  readonly body?: Shape;
}

export interface HttpExample {
  /** The request line without `HTTP/1.1`, with ` #n` from the second block with that line on. */
  readonly title: string;
  /** README line of the opening fence. */
  readonly line: number;
  readonly request: HttpRequestExample;
  readonly answer: HttpAnswerExample;
}

/** A JSON value as the README shows it; `open` when `…` stands for more members or elements. */
export type Shape =
  | { readonly kind: 'value'; readonly value: string | number | boolean | null }
  | { readonly kind: 'object'; readonly members: ReadonlyMap<string, Shape>; readonly open: boolean }
  | { readonly kind: 'array'; readonly items: readonly Shape[]; readonly open: boolean };

const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)(?: HTTP\/1\.1)?$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]*): (.+)$/;
const STATUS_LINE = /^(?:HTTP\/1\.1 (\d{3})(?: [A-Za-z ]+)?|(\d{3})(?: (.+))?)$/;

/** Every ```http block of `markdown`, in order. */
export function httpExamples(markdown: string): HttpExample[] {
  const examples: HttpExample[] = [];
  const seen = new Map<string, number>();
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index] !== '```http') continue;
    const end = lines.indexOf('```', index + 1);
    if (end === -1) throw new Error(`README line ${index + 1}: unclosed \`\`\`http block`);
    const block = parseBlock(lines.slice(index + 1, end), index + 1);
    const count = (seen.get(block.requestLine) ?? 0) + 1;
    seen.set(block.requestLine, count);
    const title = count === 1 ? block.requestLine : `${block.requestLine} #${count}`;
    examples.push({ title, line: index + 1, request: block.request, answer: block.answer });
    index = end;
  }
  return examples;
}

/** How many ```http fences the README opens, counted without parsing them. */
export function httpFenceCount(markdown: string): number {
  return markdown.split('\n').filter((line) => line.trim().startsWith('```http')).length;
}

function parseBlock(lines: string[], fence: number) {
  const where = (offset: number) => `README line ${fence + 1 + offset}`;
  const requestMatch = REQUEST_LINE.exec(lines[0] ?? '');
  if (requestMatch === null) throw new Error(`${where(0)}: not a request line: ${lines[0]}`);
  const [, method, path] = requestMatch;
  const { headers, end } = readHeaders(lines, 1, where);
  let at = end + 1;
  let body: string | undefined;
  if (at < lines.length && !STATUS_LINE.test(lines[at])) {
    const start = at;
    while (at < lines.length && lines[at] !== '') at += 1;
    body = lines.slice(start, at).join('\n');
    at += 1;
  }
  const statusMatch = STATUS_LINE.exec(lines[at] ?? '');
  if (statusMatch === null) throw new Error(`${where(at)}: the block states no answer (\`200 {…}\`, \`204\`, \`HTTP/1.1 200 OK\`)`);
  const status = Number(statusMatch[1] ?? statusMatch[2]);
  const rest = lines.slice(at + 1);
  const answerHeaders: Array<readonly [string, string]> = [];
  let bodyLines: string[];
  if (statusMatch[3] !== undefined) {
    bodyLines = [statusMatch[3], ...rest];
  } else {
    let header = 0;
    for (; header < rest.length && HEADER.test(rest[header]); header += 1) {
      const [, name, value] = HEADER.exec(rest[header]) ?? [];
      answerHeaders.push([name, value]);
    }
    bodyLines = rest.slice(header);
  }
  const answerBody = bodyLines.join('\n').trim();
  return {
    requestLine: `${method} ${path}`,
    request: { method, path, headers, body },
    answer: { status, headers: answerHeaders, body: answerBody === '' ? undefined : parseShape(answerBody, where(at)) },
  };
}

/** The `Name: value` lines from `start` up to the first empty line (its index is `end`). */
export function readHeaders(
  lines: readonly string[],
  start: number,
  where: (offset: number) => string,
): { headers: Array<readonly [string, string]>; end: number } {
  const headers: Array<readonly [string, string]> = [];
  let at = start;
  for (; at < lines.length && lines[at] !== ''; at += 1) {
    const header = HEADER.exec(lines[at]);
    if (header === null) throw new Error(`${where(at)}: not a header: ${lines[at]}`);
    headers.push([header[1], header[2]]);
  }
  return { headers, end: at };
}

/** JSON, but `…` may stand in an object or an array for members or elements not shown. */
export function parseShape(text: string, where = 'shape'): Shape {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what} at ${JSON.stringify(text.slice(at, at + 30))} in ${text}`);
  };
  const skipSpace = () => {
    while (/\s/.test(text[at] ?? '')) at += 1;
  };
  const ellipsis = (): boolean => {
    skipSpace();
    if (text[at] !== '…') return false;
    at += 1;
    return true;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[at] !== char) fail(`expected ${char}`);
    at += 1;
  };
  const peek = () => {
    skipSpace();
    return text[at];
  };
  const value = (): Shape => {
    const next = peek();
    if (next === '{') return object();
    if (next === '[') return array();
    const literal = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (literal === null) return fail('expected a JSON value');
    at += literal[0].length;
    return { kind: 'value', value: JSON.parse(literal[0]) as string | number | boolean | null };
  };
  const object = (): Shape => {
    expect('{');
    const members = new Map<string, Shape>();
    let open = false;
    while (peek() !== '}') {
      if (members.size > 0 || open) expect(',');
      if (ellipsis()) {
        open = true;
        continue;
      }
      const key = value();
      if (key.kind !== 'value' || typeof key.value !== 'string') return fail('expected a member name');
      expect(':');
      members.set(key.value, value());
    }
    expect('}');
    return { kind: 'object', members, open };
  };
  const array = (): Shape => {
    expect('[');
    const items: Shape[] = [];
    let open = false;
    while (peek() !== ']') {
      if (items.length > 0 || open) expect(',');
      if (ellipsis()) open = true;
      else items.push(value());
    }
    expect(']');
    return { kind: 'array', items, open };
  };
  const shape = value();
  skipSpace();
  if (at !== text.length) fail('unexpected text after the value');
  return shape;
}
