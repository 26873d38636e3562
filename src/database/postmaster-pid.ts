import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** A PostgreSQL server that a live process of ours runs on the cluster. */
export interface RunningPostmaster {
  readonly pid: number;
  readonly port: number;
  /** The process that started it. */
  readonly owner: string;
}

const ORPHAN_SHUTDOWN_MS = 15_000;
const execFileAsync = promisify(execFile);

/**
 * Looks at `postmaster.pid` before a start. A pid file naming no live postmaster of this cluster is
 * stale and removed. A postmaster whose parent died (SIGKILL) is an orphan, and stopped; one whose
 * node parent still runs belongs to a running app or test run, and is returned.
 */
export async function inspectPostmaster(dataDir: string, log: (line: string) => void): Promise<RunningPostmaster | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const lines = await readFile(pidFile, 'utf8').then(
    (content) => content.split('\n'),
    () => undefined,
  );
  if (lines === undefined) return undefined;
  const pid = Number.parseInt(lines[0] ?? '', 10);

  if (!Number.isInteger(pid) || pid <= 0 || !(await isPostmasterOf(pid, dataDir))) {
    await rm(pidFile, { force: true });
    return undefined;
  }
  const owner = await liveNodeParent(pid);
  if (owner !== undefined) return { pid, port: Number.parseInt(lines[3] ?? '', 10), owner };
  log(`embedded-postgres: stopping PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier process`);
  await stopOrphan(pid);
  return undefined;
}

async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const args = await commandLine(pid);
  if (args === undefined) return false;
  const dataDirIndex = args.indexOf('-D') + 1;
  return basename(args[0] ?? '') === 'postgres' && dataDirIndex > 0 && resolve(args[dataDirIndex] ?? '') === dataDir;
}

async function liveNodeParent(pid: number): Promise<string | undefined> {
  const parent = await parentPid(pid);
  if (parent === undefined || parent <= 1) return undefined;
  const parentArgs = (await commandLine(parent)) ?? [];
  if (parent !== process.pid && !/^node/.test(basename(parentArgs[0] ?? ''))) return undefined;
  return `${parent} (${parentArgs.join(' ')})`;
}

async function parentPid(pid: number): Promise<number | undefined> {
  const fromProc = procStat(pid)?.[1];
  if (fromProc !== undefined) return Number.parseInt(fromProc, 10);
  return execFileAsync('ps', ['-p', String(pid), '-o', 'ppid=']).then(
    ({ stdout }) => Number.parseInt(stdout, 10),
    () => undefined,
  );
}

async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '');
  } catch {
    // No procfs (macOS): ps splits on spaces, which is good enough for the paths used here.
    return execFileAsync('ps', ['-p', String(pid), '-o', 'command=']).then(
      ({ stdout }) => stdout.trim().split(/\s+/),
      () => undefined,
    );
  }
}

/** SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate shutdown if that does not finish. */
async function stopOrphan(pid: number): Promise<void> {
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitForExit(pid, ORPHAN_SHUTDOWN_MS)) return;
  }
  throw new Error(`PostgreSQL (pid ${pid}) left running by an earlier process did not stop`);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return !isAlive(pid);
}

/** A zombie (exited, not yet reaped by a container init that never reaps) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return procStat(pid)?.[0] !== 'Z';
}

/** The fields of /proc/<pid>/stat after the command name (state, ppid, ...); undefined without procfs. */
function procStat(pid: number): string[] | undefined {
  try {
    const content = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return content.slice(content.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
