import { type HttpAnswerExample, parseShape, readHeaders } from './readme-http';

/**
 * The README's shell transcripts: ``` blocks with `$ curl -i …` commands, each followed by the answer
 * curl prints (status line, headers, blank line, JSON body in which `…` stands for more members).
 * A `$ VAR=… npm start` line before the commands names the server configuration they were run against.
 */

export interface CurlRequest {
  readonly method: string;
  readonly url: URL;
  /** As curl sends them: the `-H` headers, and the Content-Type that `-d` implies when none is listed. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

export interface CurlCommand {
  /** `METHOD URL`, with ` #n` from the second command with that pair on. */
  readonly title: string;
  /** README line of the `$ curl`. */
  readonly line: number;
  readonly request: CurlRequest;
  /** curl -i prints every header: the Set-Cookie lines shown are all the cookies the answer sets. */
  readonly answer: HttpAnswerExample;
}

export interface CurlBlock {
  /** The heading the block stands under. */
  readonly section: string;
  /** README line of the opening fence. */
  readonly line: number;
  /** The server the commands ran against: the `$ VAR=… npm …` line, or `npm start` with no variables. */
  readonly server: { readonly env: Readonly<Record<string, string>>; readonly command: string };
  readonly commands: readonly CurlCommand[];
}

const PROMPT = '$ ';
const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) ([A-Za-z -]+)$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]*): (.+)$/;
const ASSIGNMENT = /^([A-Z][A-Z0-9_]*)=(.*)$/s;

/** Every ``` block of `markdown` holding a `$ curl` line, in order. */
export function curlBlocks(markdown: string): CurlBlock[] {
  const blocks: CurlBlock[] = [];
  const seen = new Map<string, number>();
  const lines = markdown.split('\n');
  let section = '';
  for (let index = 0; index < lines.length; index += 1) {
    if (/^#{1,6} /.test(lines[index])) section = lines[index].replace(/^#+ /, '');
    if (!lines[index].startsWith('```')) continue;
    const end = lines.indexOf('```', index + 1);
    if (end === -1) throw new Error(`README line ${index + 1}: unclosed code block`);
    const body = lines.slice(index + 1, end);
    if (body.some((line) => line.startsWith(`${PROMPT}curl `))) {
      blocks.push(
        parseBlock(body, index + 1, section, (title) => {
          const count = (seen.get(title) ?? 0) + 1;
          seen.set(title, count);
          return count === 1 ? title : `${title} #${count}`;
        }),
      );
    }
    index = end;
  }
  return blocks;
}

/** How many `$ curl` lines the README holds, counted without parsing them. */
export function curlLineCount(markdown: string): number {
  return markdown.split('\n').filter((line) => line.trimStart().startsWith(`${PROMPT}curl `)).length;
}

function parseBlock(lines: string[], fence: number, section: string, titled: (title: string) => string): CurlBlock {
  const where = (offset: number) => `README line ${fence + 1 + offset}`;
  let server: CurlBlock['server'] = { env: {}, command: 'npm start' };
  const commands: CurlCommand[] = [];
  for (let at = 0; at < lines.length;) {
    if (!lines[at].startsWith(PROMPT)) throw new Error(`${where(at)}: expected a \`$ \` command, not: ${lines[at]}`);
    const start = at;
    let commandLine = lines[at].slice(PROMPT.length);
    while (commandLine.endsWith('\\')) {
      at += 1;
      commandLine = `${commandLine.slice(0, -1)} ${lines[at] ?? ''}`;
    }
    at += 1;
    const answerStart = at;
    while (at < lines.length && !lines[at].startsWith(PROMPT)) at += 1;
    const words = shellWords(commandLine, where(start));
    if (words[0] !== 'curl') {
      if (commands.length > 0) throw new Error(`${where(start)}: a server command after the curl commands it configures`);
      server = serverCommand(words, lines.slice(answerStart, at), where(start));
      continue;
    }
    const request = curlRequest(words.slice(1), where(start));
    commands.push({
      title: titled(`${request.method} ${request.url.href}`),
      line: fence + 1 + start,
      request,
      answer: parseAnswer(lines.slice(answerStart, at), (offset) => where(answerStart + offset)),
    });
  }
  return { section, line: fence, server, commands };
}

function serverCommand(words: string[], output: string[], where: string): CurlBlock['server'] {
  if (output.some((line) => line.trim() !== '')) throw new Error(`${where}: a server command shows no output here`);
  const env: Record<string, string> = {};
  let at = 0;
  for (let assignment = ASSIGNMENT.exec(words[at] ?? ''); assignment !== null; assignment = ASSIGNMENT.exec(words[at] ?? '')) {
    env[assignment[1]] = assignment[2];
    at += 1;
  }
  if (words[at] !== 'npm') throw new Error(`${where}: neither curl nor \`VAR=… npm …\`: ${words.join(' ')}`);
  return { env, command: words.slice(at).join(' ') };
}

function curlRequest(words: string[], where: string): CurlRequest {
  let method: string | undefined;
  let url: URL | undefined;
  let body: string | undefined;
  const headers: Array<readonly [string, string]> = [];
  for (let at = 0; at < words.length; at += 1) {
    const word = words[at];
    const argument = () => {
      at += 1;
      if (at >= words.length) throw new Error(`${where}: ${word} without its argument`);
      return words[at];
    };
    if (word === '-i') continue;
    if (word === '-X') method = argument();
    else if (word === '-H') {
      const header = HEADER.exec(argument());
      if (header === null) throw new Error(`${where}: not a header: ${words[at]}`);
      headers.push([header[1], header[2]]);
    } else if (word === '-d') body = argument();
    else if (word.startsWith('-')) throw new Error(`${where}: a curl option this parser does not know: ${word}`);
    else if (url !== undefined) throw new Error(`${where}: a second URL: ${word}`);
    else url = new URL(word);
  }
  if (url === undefined) throw new Error(`${where}: curl without a URL`);
  if (!words.includes('-i')) throw new Error(`${where}: without -i curl prints no status line and no headers`);
  // What curl itself does: -d makes the request a POST with a form Content-Type, unless -X or -H say otherwise.
  if (body !== undefined && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  return { method: method ?? (body === undefined ? 'GET' : 'POST'), url, headers, body };
}

function parseAnswer(lines: string[], where: (offset: number) => string): CurlCommand['answer'] {
  const status = STATUS_LINE.exec(lines[0] ?? '');
  if (status === null) throw new Error(`${where(0)}: curl -i prints a status line such as \`HTTP/1.1 200 OK\`, not: ${lines[0]}`);
  const { headers, end: at } = readHeaders(lines, 1, where);
  const body = lines.slice(at).join('\n').trim();
  return {
    status: Number(status[1]),
    statusText: status[2],
    headers,
    body: body === '' ? undefined : parseShape(body, where(at + 1)),
    listsEveryCookie: true,
  };
}

/** The words of a command line as a POSIX shell splits them, for the quoting the README uses: '…', "…" and bare words. */
function shellWords(line: string, where: string): string[] {
  const words: string[] = [];
  const word = /\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)"|([^\s'"]+))/y;
  let current: string | undefined;
  let at = 0;
  while (at < line.length) {
    word.lastIndex = at;
    const match = word.exec(line);
    if (match === null) {
      if (line.slice(at).trim() === '') break;
      throw new Error(`${where}: unbalanced quotes in ${line}`);
    }
    const separated = match[0].length > 0 && /^\s/.test(match[0]);
    if (separated && current !== undefined) {
      words.push(current);
      current = undefined;
    }
    const text = match[1] ?? (match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]);
    current = (current ?? '') + text;
    at = word.lastIndex;
  }
  if (current !== undefined) words.push(current);
  return words;
}
