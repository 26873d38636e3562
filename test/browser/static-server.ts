import { readFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const SPA_DIR = resolve('test/browser/spa');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** The SPA's files from a plain Node http server on 127.0.0.1 (reached as localhost or 127.0.0.1). */
export interface StaticServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(SPA_DIR, path === '/' ? 'index.html' : path);
    const type = TYPES[extname(file)];
    if (!file.startsWith(SPA_DIR) || type === undefined) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (content) => response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(content),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => listening());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('static server: no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
