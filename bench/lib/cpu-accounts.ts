import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { readMainThreadSchedstat } from '../../src/common/os/thread-schedstat';

/**
 * The kernel's account of who used the machine's CPUs during a measured window: the server's main
 * thread (on a CPU, waiting for one), the server's process with all its threads (libuv's bcrypt
 * work, V8's helpers), the PostgreSQL cluster (every process of its postmaster), and the whole
 * machine (that and the load generator and anything else). Linux only: elsewhere every reading is
 * undefined and the profile leaves the rows empty.
 */

/** Microseconds of CPU, from the start of each account (differences are what matter). */
export interface CpuReading {
  readonly atUs: number;
  readonly mainThread?: { readonly runUs: number; readonly waitUs: number };
  readonly serverUs?: number;
  readonly postgresUs?: number;
  readonly machineUs?: number;
}

/** A window's use of the machine: the differences of two readings. */
export interface CpuUse {
  readonly wallUs: number;
  readonly mainThread?: { readonly runUs: number; readonly waitUs: number };
  readonly serverUs?: number;
  readonly postgresUs?: number;
  readonly machineUs?: number;
  /** CPUs × the window: what the machine could have given. */
  readonly capacityUs: number;
  /** The load generator's own account (it reports it with its result). */
  readonly loadGeneratorUs?: number;
}

let ticksPerSecond: number | undefined;

/** /proc counts process and machine time in clock ticks (USER_HZ, 100 on every common Linux). */
function tickUs(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return 1e6 / ticksPerSecond;
}

interface ProcStat {
  readonly ppid: number;
  readonly cpuTicks: number;
}

/** utime + stime (fields 14 and 15) and the parent (field 4); the name in parentheses may hold spaces. */
function readProcStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state).
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** Every thread of a process, children not included. */
function processCpuUs(pid: number): number | undefined {
  const stat = readProcStat(pid);
  return stat === undefined ? undefined : stat.cpuTicks * tickUs();
}

/**
 * The postmaster and its children (backends, WAL writer, checkpointer, autovacuum). A backend that
 * exits inside the window takes its time with it; the product's pool keeps its connections under load.
 */
function clusterCpuUs(postmasterPid: number): number | undefined {
  const own = readProcStat(postmasterPid);
  if (own === undefined) return undefined;
  let ticks = own.cpuTicks;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat?.ppid === postmasterPid) ticks += stat.cpuTicks;
  }
  return ticks * tickUs();
}

/** Busy time of every CPU: the first line of /proc/stat less idle and iowait. */
function machineCpuUs(): number | undefined {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
    return [user, nice, system, irq, softirq, steal].reduce<number>((sum, value) => sum + (value ?? 0), 0) * tickUs();
  } catch {
    return undefined;
  }
}

/**
 * The postmaster behind a connection to a server on this machine, when it is one: the parent of
 * the backend that serves `backendPid`, if that process is a PostgreSQL of this machine.
 */
export function postmasterOf(backendPid: number): number | undefined {
  const backend = readProcStat(backendPid);
  if (backend === undefined) return undefined;
  try {
    const name = readFileSync(`/proc/${backend.ppid}/comm`, 'utf8').trim();
    return /^postgres|^postmaster/.test(name) ? backend.ppid : undefined;
  } catch {
    return undefined;
  }
}

export function readCpu(serverPid: number | undefined, postmasterPid: number | undefined): CpuReading {
  const schedstat = serverPid === undefined ? undefined : readMainThreadSchedstat(serverPid);
  return {
    atUs: Number(process.hrtime.bigint() / 1000n),
    mainThread: schedstat === undefined ? undefined : { runUs: schedstat.runNs / 1000, waitUs: schedstat.waitNs / 1000 },
    serverUs: serverPid === undefined ? undefined : processCpuUs(serverPid),
    postgresUs: postmasterPid === undefined ? undefined : clusterCpuUs(postmasterPid),
    machineUs: machineCpuUs(),
  };
}

export function cpuUse(before: CpuReading, after: CpuReading): CpuUse {
  const difference = (pick: (reading: CpuReading) => number | undefined): number | undefined => {
    const [from, to] = [pick(before), pick(after)];
    return from === undefined || to === undefined ? undefined : to - from;
  };
  const wallUs = after.atUs - before.atUs;
  return {
    wallUs,
    mainThread:
      before.mainThread === undefined || after.mainThread === undefined
        ? undefined
        : { runUs: after.mainThread.runUs - before.mainThread.runUs, waitUs: after.mainThread.waitUs - before.mainThread.waitUs },
    serverUs: difference((reading) => reading.serverUs),
    postgresUs: difference((reading) => reading.postgresUs),
    machineUs: difference((reading) => reading.machineUs),
    capacityUs: wallUs * cpus().length,
  };
}
