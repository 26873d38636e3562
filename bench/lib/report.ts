import type { WindowResult } from './messages';
import { median } from './stats';

export type Key =
  | 'reference'
  | 'referenceRoutes'
  | 'unguarded'
  | 'jwt'
  | 'session'
  | 'eitherCookie'
  | 'eitherBearer'
  | 'roles'
  | 'refresh'
  | 'ceiling10'
  | 'login10'
  | 'ceiling12'
  | 'login12'
  | 'jwtIdle12'
  | 'stormJwt'
  | 'stormLogins';

/** Per scenario, one result per round, in round order. */
export type Samples = Map<Key, WindowResult[]>;

interface RowSpec {
  readonly key: Key;
  readonly label: string;
  /** The row its ratio is taken against. */
  readonly base?: Key;
}

export const ROWS: readonly RowSpec[] = [
  { key: 'reference', label: 'reference: bare Nest app, GET /open' },
  { key: 'referenceRoutes', label: "reference behind the service's routes", base: 'reference' },
  { key: 'unguarded', label: 'GET /bench/open (no guard)', base: 'reference' },
  { key: 'jwt', label: 'GET /bench/jwt JwtGuard', base: 'unguarded' },
  { key: 'session', label: 'GET /bench/session SessionGuard', base: 'unguarded' },
  { key: 'eitherCookie', label: 'GET /bench/either SessionOrJwt, cookie', base: 'unguarded' },
  { key: 'eitherBearer', label: 'GET /bench/either SessionOrJwt, Bearer', base: 'unguarded' },
  { key: 'roles', label: "GET /bench/role Jwt+Roles('user')", base: 'unguarded' },
  { key: 'refresh', label: 'POST /auth/jwt/refresh', base: 'unguarded' },
  { key: 'ceiling10', label: 'bcrypt ceiling, cost 10' },
  { key: 'login10', label: 'POST /auth/jwt/login, cost 10', base: 'ceiling10' },
  { key: 'ceiling12', label: 'bcrypt ceiling, cost 12' },
  { key: 'login12', label: 'POST /auth/jwt/login, cost 12', base: 'ceiling12' },
  { key: 'jwtIdle12', label: 'storm: GET /bench/jwt, idle' },
  { key: 'stormJwt', label: 'storm: GET /bench/jwt, under storm', base: 'jwtIdle12' },
  { key: 'stormLogins', label: 'storm: the logins, cost 12', base: 'ceiling12' },
];

interface TargetSpec {
  readonly name: string;
  readonly numerator: Key;
  readonly denominator: Key;
  readonly metric: 'perSecond' | 'p99Ms';
  readonly op: '>=' | '<=';
  readonly target: number;
}

export const TARGETS: readonly TargetSpec[] = [
  { name: 'unguarded / reference', numerator: 'unguarded', denominator: 'reference', metric: 'perSecond', op: '>=', target: 0.85 },
  {
    name: "(diagnostic) unguarded / reference behind the service's routes",
    numerator: 'unguarded',
    denominator: 'referenceRoutes',
    metric: 'perSecond',
    op: '>=',
    target: 0.85,
  },
  { name: 'JwtGuard / unguarded', numerator: 'jwt', denominator: 'unguarded', metric: 'perSecond', op: '>=', target: 0.9 },
  { name: 'SessionGuard / unguarded', numerator: 'session', denominator: 'unguarded', metric: 'perSecond', op: '>=', target: 0.85 },
  { name: 'refresh / unguarded', numerator: 'refresh', denominator: 'unguarded', metric: 'perSecond', op: '>=', target: 0.5 },
  { name: 'login / bcrypt ceiling, cost 10', numerator: 'login10', denominator: 'ceiling10', metric: 'perSecond', op: '>=', target: 0.9 },
  { name: 'login / bcrypt ceiling, cost 12', numerator: 'login12', denominator: 'ceiling12', metric: 'perSecond', op: '>=', target: 0.9 },
  {
    name: 'storm: JwtGuard req/s, storm / idle',
    numerator: 'stormJwt',
    denominator: 'jwtIdle12',
    metric: 'perSecond',
    op: '>=',
    target: 0.6,
  },
  { name: 'storm: JwtGuard p99, storm / idle', numerator: 'stormJwt', denominator: 'jwtIdle12', metric: 'p99Ms', op: '<=', target: 2 },
  {
    name: 'storm: logins / bcrypt ceiling, cost 12',
    numerator: 'stormLogins',
    denominator: 'ceiling12',
    metric: 'perSecond',
    op: '>=',
    target: 0.8,
  },
];

export interface RowResult {
  readonly key: Key;
  readonly label: string;
  /** Median over rounds. */
  readonly perSecond: number;
  readonly minPerSecond: number;
  readonly maxPerSecond: number;
  /** Median over rounds of each round's p99. */
  readonly p99Ms: number;
  readonly base?: Key;
  /** Median over rounds of this round's value / the base's value in the same round. */
  readonly ratio?: number;
  readonly failures: number;
  readonly failureNotes: string[];
}

export interface TargetResult {
  readonly name: string;
  readonly ratio: number;
  readonly op: '>=' | '<=';
  readonly target: number;
  readonly pass: boolean;
  /** Each round's ratio, to see the spread. */
  readonly rounds: number[];
}

/** Per-round ratios (the two measurements of a round ran minutes apart at most), then their median. */
function pairedRatios(samples: Samples, numerator: Key, denominator: Key, metric: 'perSecond' | 'p99Ms'): number[] {
  const top = samples.get(numerator) ?? [];
  const bottom = samples.get(denominator) ?? [];
  const ratios: number[] = [];
  for (let round = 0; round < Math.min(top.length, bottom.length); round++) {
    ratios.push(top[round]![metric] / bottom[round]![metric]);
  }
  return ratios;
}

export function summarise(samples: Samples): { rows: RowResult[]; targets: TargetResult[] } {
  const rows = ROWS.filter((row) => (samples.get(row.key)?.length ?? 0) > 0).map((row): RowResult => {
    const results = samples.get(row.key) ?? [];
    const rates = results.map((result) => result.perSecond);
    return {
      key: row.key,
      label: row.label,
      perSecond: median(rates),
      minPerSecond: Math.min(...rates),
      maxPerSecond: Math.max(...rates),
      p99Ms: median(results.map((result) => result.p99Ms)),
      base: row.base,
      ratio: row.base === undefined ? undefined : median(pairedRatios(samples, row.key, row.base, 'perSecond')),
      failures: results.reduce((sum, result) => sum + result.failures, 0),
      failureNotes: results.flatMap((result) => (result.failureNote === undefined ? [] : [result.failureNote])),
    };
  });
  const targets = TARGETS.map((spec): TargetResult => {
    const rounds = pairedRatios(samples, spec.numerator, spec.denominator, spec.metric);
    const ratio = median(rounds);
    const pass = spec.op === '>=' ? ratio >= spec.target : ratio <= spec.target;
    return { name: spec.name, ratio, op: spec.op, target: spec.target, pass, rounds };
  });
  return { rows, targets };
}

const LABEL_OF = new Map(ROWS.map((row) => [row.key, row.label]));

function rate(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function table(header: readonly string[], body: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (rightAligned.has(column) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(header), rule, ...body.map(line)];
}

export function formatText(summary: { rows: RowResult[]; targets: TargetResult[] }, heading: readonly string[]): string {
  const rows = table(
    ['route', 'req/s', 'min–max req/s', 'p99 ms', 'ratio', 'ratio to'],
    summary.rows.map((row) => [
      row.label + (row.failures > 0 ? ` (${row.failures} FAILED)` : ''),
      rate(row.perSecond),
      `${rate(row.minPerSecond)}–${rate(row.maxPerSecond)}`,
      ms(row.p99Ms),
      row.ratio === undefined ? '' : row.ratio.toFixed(2),
      row.base === undefined ? '' : (LABEL_OF.get(row.base) ?? row.base).replace(/^storm: /, ''),
    ]),
    new Set([1, 2, 3, 4]),
  );
  const targets = table(
    ['target', 'ratio', 'wanted', 'rounds', ''],
    summary.targets.map((target) => [
      target.name,
      Number.isFinite(target.ratio) ? target.ratio.toFixed(2) : '-',
      `${target.op === '>=' ? '≥' : '≤'} ${target.target}`,
      target.rounds.map((value) => value.toFixed(2)).join(' '),
      target.pass ? 'pass' : 'FAIL',
    ]),
    new Set([1]),
  );
  const failures = summary.rows
    .filter((row) => row.failures > 0)
    .map((row) => `failed requests in "${row.label}": ${row.failureNotes.join('; ')}`);
  return [...heading, '', ...rows, '', ...targets, ...(failures.length > 0 ? ['', ...failures] : [])].join('\n');
}
