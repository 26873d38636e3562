import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuUse } from './cpu-accounts';

/**
 * `npm run bench -- --profile`: where a request's CPU time goes. The reference app and the cost-10
 * product server run with `node --cpu-prof`; for each measured window the samples that fall inside
 * it are grouped by what ran (a package, Node's HTTP internals, the product's own code, garbage
 * collection) and divided by the requests that completed in it: microseconds of CPU per request.
 * The profiler's clock is the monotonic one of process.hrtime, so windows recorded by the
 * orchestrator line up with the samples of another process.
 */

/** A measured window of one scenario: monotonic microseconds, and the requests that completed. */
export interface ProfileWindow {
  readonly startUs: number;
  readonly endUs: number;
  readonly completed: number;
  /** The kernel's account of the machine in the window (cpu-accounts.ts); undefined if the window ended in its warm-up. */
  readonly cpu?: CpuUse;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** What a sample is counted as: a few groups a reader can act on. */
const GROUPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\(garbage collector\)$/, 'garbage collection'],
  [/^node:(_http|http|net|stream|internal\/(http|stream|net|streams))/, 'Node HTTP and sockets'],
  [
    /^(express|router|path-to-regexp|parseurl|finalhandler|send|etag|fresh|on-finished|content-type|vary|qs|depd)$/,
    'Express and its router',
  ],
  [/^(helmet|cors|object-assign)$/, 'security headers and CORS (helmet, cors)'],
  [/^(cookie-parser|cookie|cookie-signature|express-session|uid-safe|random-bytes|on-headers)$/, 'cookies and express-session'],
  [/^(body-parser|raw-body|type-is|iconv-lite|bytes|media-typer|mime-types)$/, 'body rules (body-parser)'],
  [/^(passport|passport-strategy|@nestjs\/passport|utils-merge|pause)$/, 'passport'],
  [/^(jsonwebtoken|jws|jwa|jose|lru-cache|safe-buffer|buffer-equal-constant-time|ecdsa-sig-formatter)$/, 'JWT verification'],
  [
    /^(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-array|postgres-bytea|postgres-date|postgres-interval|typeorm)$/,
    'database driver (pg, TypeORM)',
  ],
  [/^(pino|@pinojs\/redact|sonic-boom|fast-safe-stringify|quick-format-unescaped|thread-stream)$/, 'request logs (pino)'],
  [/^(@nestjs\/|rxjs|reflect-metadata|class-transformer|class-validator|tslib)/, 'Nest'],
  [/^the product/, 'the product (dist/src)'],
  [/^node:internal\/crypto|^node:crypto/, 'Node crypto (hashes, HMAC, random ids)'],
];

/** A frame's module: a package name, a node: module, the product, or '' for V8's own code (built-ins, regexps). */
function moduleOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return /^\((garbage collector|idle|program|root)\)$/.test(functionName) ? functionName : '';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (inPackage !== undefined) return inPackage;
  return url.includes('/dist/src/') ? 'the product' : url;
}

function groupOf(module: string): string {
  for (const [pattern, group] of GROUPS) if (pattern.test(module)) return group;
  return 'other';
}

/** Each node's group; V8's own frames (a regexp, a string built-in) count for the code that called them. */
function groupsOf(profile: CpuProfile): Map<number, string> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const groups = new Map<number, string>();
  for (const node of profile.nodes) {
    let current: ProfileNode | undefined = node;
    let module = moduleOf(node);
    while (module === '' && current !== undefined) {
      const up = parent.get(current.id);
      current = up === undefined ? undefined : byId.get(up);
      module = current === undefined ? '' : moduleOf(current);
    }
    groups.set(node.id, /^\((idle|program|root)\)$/.test(module) ? '(idle)' : groupOf(module));
  }
  return groups;
}

function readProfiles(dir: string): CpuProfile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
}

/** Sampled microseconds per completed request in the windows, by group; idle time left out. */
export function cpuPerRequest(dir: string, windows: readonly ProfileWindow[]): Map<string, number> {
  const totals = new Map<string, number>();
  const requests = windows.reduce((sum, window) => sum + window.completed, 0);
  if (requests === 0) return totals;
  for (const profile of readProfiles(dir)) {
    const groups = groupsOf(profile);
    let at = profile.startTime;
    for (let index = 0; index < profile.samples.length; index++) {
      const delta = profile.timeDeltas[index] ?? 0;
      at += delta;
      if (!windows.some((window) => at >= window.startUs && at < window.endUs)) continue;
      const group = groups.get(profile.samples[index] ?? -1) ?? '(unknown)';
      if (group === '(idle)') continue;
      totals.set(group, (totals.get(group) ?? 0) + delta);
    }
  }
  for (const [group, total] of totals) totals.set(group, total / requests);
  return totals;
}

/** The table: one column per scenario, one row per group (largest first), the total, and the kernel's account. */
export function formatProfile(
  columns: ReadonlyArray<{ readonly label: string; readonly perRequest: Map<string, number>; readonly windows: readonly ProfileWindow[] }>,
): string {
  const groups = new Map<string, number>();
  for (const { perRequest } of columns) for (const [group, us] of perRequest) groups.set(group, Math.max(groups.get(group) ?? 0, us));
  const shown = [...groups].sort((a, b) => b[1] - a[1]);
  const cell = (us: number | undefined): string => (us === undefined || us < 0.5 ? '' : us.toFixed(0));
  const header = `| µs per request, sampled (--cpu-prof) | ${columns.map(({ label }) => label).join(' | ')} |`;
  const rule = `|---|${columns.map(() => '---:').join('|')}|`;
  const rows = shown.map(([group]) => `| ${group} | ${columns.map(({ perRequest }) => cell(perRequest.get(group))).join(' | ')} |`);
  const total = (perRequest: Map<string, number>): number => [...perRequest.values()].reduce((sum, us) => sum + us, 0);
  const totals = `| **total** | ${columns.map(({ perRequest }) => total(perRequest).toFixed(0)).join(' | ')} |`;
  // The profiler samples wall-clock time, so while every core is busy (bcrypt, PostgreSQL) its
  // figures include the time the main thread waited for one; the kernel's rows tell them apart.
  const kernelRow = (label: string, pick: (cpu: CpuUse) => number | undefined) =>
    `| ${label} | ${columns.map(({ windows }) => cell(accountPerRequest(windows, pick))).join(' | ')} |`;
  return [
    header,
    rule,
    ...rows,
    totals,
    kernelRow('main thread on a CPU (kernel)', (cpu) => cpu.mainThread?.runUs),
    kernelRow('main thread waiting for a CPU (kernel)', (cpu) => cpu.mainThread?.waitUs),
    kernelRow('server process, all threads, on a CPU (kernel)', (cpu) => cpu.serverUs),
    kernelRow('PostgreSQL, all its processes, on a CPU (kernel)', (cpu) => cpu.postgresUs),
    kernelRow('load generator, all its threads, on a CPU', (cpu) => cpu.loadGeneratorUs),
    kernelRow('whole machine on a CPU (kernel)', (cpu) => cpu.machineUs),
    kernelRow('whole machine, available (CPUs × window)', (cpu) => cpu.capacityUs),
  ].join('\n');
}

/** Per completed request in the windows; undefined when a window has no such reading. */
function accountPerRequest(windows: readonly ProfileWindow[], pick: (cpu: CpuUse) => number | undefined): number | undefined {
  const requests = windows.reduce((sum, window) => sum + window.completed, 0);
  const values = windows.map((window) => (window.cpu === undefined ? undefined : pick(window.cpu)));
  if (requests === 0 || values.some((value) => value === undefined)) return undefined;
  return values.reduce<number>((sum, value) => sum + value!, 0) / requests;
}
