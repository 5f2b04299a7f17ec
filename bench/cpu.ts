/**
 * CPU accounting for the benchmarks: this process (process.cpuUsage), the client backends
 * of the bench database (/proc/<pid>/stat), and the whole machine (/proc/stat), so a result
 * can say how much of the work was Node's, PostgreSQL's, and other processes'.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

export const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Busy and total CPU time of the machine so far, in ticks (/proc/stat), or null. */
export function machineTicks(): { busy: number; total: number } | null {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is within user)
    const ticks = fields.slice(0, 8).map(Number);
    const total = ticks.reduce((sum, t) => sum + t, 0);
    return { busy: total - ticks[3]! - ticks[4]!, total };
  } catch {
    return null;
  }
}

/**
 * CPU time so far of the client backends of the bench database, by pid, read from /proc;
 * null when PostgreSQL runs elsewhere (no such processes here).
 */
export async function backendTicks(monitor: pg.Client): Promise<Map<number, number> | null> {
  const { rows } = await monitor.query<{ pid: number }>(
    `select pid from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`,
  );
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      return null;
    }
  }
  return ticks;
}

export interface CpuUsed {
  /** Milliseconds of CPU this process used. */
  node: number;
  /** Milliseconds the database's client backends used; null when PostgreSQL runs elsewhere. */
  postgres: number | null;
  /** Milliseconds the whole machine was busy, of those it had (all cores). */
  machine: { busy: number; capacity: number } | null;
}

/** Starts counting; the function returned tells the CPU milliseconds used since. */
export async function cpuMeter(monitor: pg.Client): Promise<() => Promise<CpuUsed>> {
  const backends = await backendTicks(monitor);
  const machine = machineTicks();
  const own = process.cpuUsage();
  return async () => {
    const used = process.cpuUsage(own);
    const machineNow = machineTicks();
    const backendsNow = await backendTicks(monitor);
    return {
      node: (used.user + used.system) / 1000,
      // A backend that started meanwhile began at 0; one that ended took its ticks along (the pools keep theirs).
      postgres:
        backends && backendsNow
          ? [...backendsNow].reduce((sum, [pid, t]) => sum + (t - (backends.get(pid) ?? 0)) * TICK_MS, 0)
          : null,
      machine:
        machine && machineNow
          ? {
              busy: (machineNow.busy - machine.busy) * TICK_MS,
              capacity: (machineNow.total - machine.total) * TICK_MS,
            }
          : null,
    };
  };
}
