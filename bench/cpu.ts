/**
 * How much CPU *other* processes used while a scenario ran (Linux /proc): the machine's busy time
 * minus this process's and the server's. The load average cannot tell that apart, because the
 * benchmark itself keeps both cores busy.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux

function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    return f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  } catch {
    return undefined;
  }
}

function processTicks(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]); // utime, stime
  } catch {
    return undefined;
  }
}

export interface CpuWindow {
  /** Cores used on average by processes other than the bench and its server; undefined off Linux. */
  finish(): number | undefined;
}

export function startCpuWindow(serverPid: number | undefined): CpuWindow {
  const started = Date.now();
  const busy0 = machineBusyTicks();
  const self0 = processTicks('self');
  const server0 = serverPid ? processTicks(serverPid) : 0;
  return {
    finish() {
      const seconds = (Date.now() - started) / 1000;
      const busy1 = machineBusyTicks();
      const self1 = processTicks('self');
      const server1 = serverPid ? processTicks(serverPid) : 0;
      if ([busy0, self0, server0, busy1, self1, server1].some((v) => v === undefined) || seconds <= 0) return undefined;
      const others = busy1! - busy0! - (self1! - self0!) - (server1! - server0!);
      return Math.max(0, others / TICKS_PER_SECOND / seconds);
    },
  };
}
