/** Turns the measurements into the printed table, the ratio verdicts, the JSON file and the docs table. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AttackFigure, attackVerdict } from './attacks';
import { FirstUseResult, formatCodes, LoadResult } from './scenarios';

export type ScenarioId = 'a' | 'b' | 'k' | 'u' | 'f' | 'e' | 'e-flood' | 'd' | "a'" | 'c' | 'n-alone' | 'n' | 'n-noisy' | 'n-slow';
export type ScenarioStatus = 'valid' | 'invalid' | 'skipped' | 'failed';

export interface ScenarioOutcome {
  id: ScenarioId;
  title: string;
  /** Which server process answered, e.g. "server 1" (in-process limits) or "server 2" (REDIS_URL). */
  server: string;
  status: ScenarioStatus;
  /** Why it is invalid, skipped or failed. */
  problems: string[];
  load?: LoadResult;
  firstUse?: FirstUseResult;
  /** How long the server took to go quiet again after this scenario. */
  settleMs?: number;
  /** Cores used on average by other processes (not the bench, not its server) during the scenario. */
  otherCpuCores?: number;
}

/** Above this many cores used by other processes, a scenario's note says the machine was busy. */
export const BUSY_OTHER_CORES = 0.3;
function busyNote(s: ScenarioOutcome): string {
  return s.otherCpuCores !== undefined && s.otherCpuCores > BUSY_OTHER_CORES
    ? `machine busy: other processes used ${s.otherCpuCores.toFixed(1)} cores`
    : '';
}

export type Verdict = 'PASS' | 'FAIL' | 'INVALID' | 'SKIPPED';

export interface TargetOutcome {
  name: string;
  value: number | null;
  unit: '' | 'ms';
  goal: string;
  verdict: Verdict;
  note: string;
}

/** One database's run: every scenario and target, or why it did not run. */
export interface DatabaseReport {
  kind: 'embedded' | 'postgres';
  title: string;
  status: 'ran' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  /** e.g. "PostgreSQL 15.4, scratch database …" */
  database?: string;
  servers: Record<string, unknown>[];
  scenarios: ScenarioOutcome[];
  targets: TargetOutcome[];
  informational: TargetOutcome[];
  /** Issue 9's concurrency scenarios: counts and latencies with their goals. */
  attacks: AttackFigure[];
  setupProblems: string[];
  /** Tenant A's seeded usage for (n). */
  neighbourSeed?: Record<string, unknown>;
  durationSec?: number;
}

export interface BenchReport {
  meta: Record<string, unknown>;
  settings: Record<string, unknown>;
  databases: DatabaseReport[];
  durationSec: number;
}

const num = (v: number | undefined | null, digits = 0) =>
  v === undefined || v === null || Number.isNaN(v)
    ? '–'
    : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const ms = (v: number | undefined | null) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v < 10 ? num(v, 2) : num(v, 1));

function scenarioCells(s: ScenarioOutcome): string[] {
  const flag = s.status === 'valid' ? '' : s.status.toUpperCase();
  let note = [[flag, ...s.problems].filter(Boolean).join(': '), busyNote(s)].filter(Boolean).join('; ');
  if (s.load) {
    const isFlood = s.id === 'e-flood';
    if (s.id === 'n-noisy') note = ['load (not a target)', note].filter(Boolean).join('; ');
    const l = s.load;
    const lat = isFlood ? l.latencyAllMs : l.latencyMs;
    return [
      `(${s.id}) ${s.title}`,
      num(isFlood ? l.rps : l.okRps),
      ms(lat.p50),
      ms(lat.p99),
      isFlood ? formatCodes(l.statusCodes) : num(l.non2xx),
      isFlood
        ? ['flood (non-2xx expected)', l.errors ? `${l.errors} errors (${l.timeouts} timeouts)` : '', note].filter(Boolean).join('; ')
        : note,
    ];
  }
  if (s.firstUse) {
    const f = s.firstUse;
    return [
      `(${s.id}) ${s.title}`,
      '–',
      ms(f.latencyMs.p50),
      ms(f.latencyMs.p99),
      num(Object.entries(f.statusCodes).filter(([c]) => !c.startsWith('2')).reduce((n, [, v]) => n + v, 0)),
      [`${f.keys} keys, mean ${ms(f.latencyMs.mean)} ms`, note].filter(Boolean).join('; '),
    ];
  }
  return [`(${s.id}) ${s.title}`, '–', '–', '–', '–', note];
}

const ATTACK_HEADER = ['under attack or restart', 'value', 'goal', 'result', 'detail'];

function attackCells(a: AttackFigure): string[] {
  const verdict = attackVerdict(a);
  return [`[${a.id}] ${a.title}`, a.value === null ? '–' : `${num(a.value)}${a.unit ? ` ${a.unit}` : ''}`, `≤ ${num(a.max)}${a.unit ? ` ${a.unit}` : ''}`, verdict, a.detail];
}

const SCENARIO_HEADER = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'note'];
const TARGET_HEADER = ['target', 'value', 'goal', 'result', 'note'];

function targetCells(t: TargetOutcome): string[] {
  const value = t.value === null ? '–' : t.unit === 'ms' ? `${ms(t.value)} ms` : num(t.value, 2);
  return [t.name, value, t.goal, t.verdict, t.note];
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i].length, i === header.length - 1 ? 200 : 60))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const right = i > 0 && i < header.length - 1 && /^[–\d.,\s]+( ms)?$/.test(c);
        return right ? c.padStart(widths[i]) : c.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i > 0 && i < 4 ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const INFO_HEADER = ['also reported', 'value', 'goal', 'result', 'note'];
const targetsMet = (d: DatabaseReport) => d.targets.filter((t) => t.verdict === 'PASS').length;

/** The headline figure of a scenario: req/s, or for (d) and (n) the p50. */
function headline(s: ScenarioOutcome | undefined): string {
  if (!s) return '–';
  if (s.status === 'skipped' || s.status === 'failed') return s.status;
  const flag = s.status === 'invalid' ? ' (invalid)' : '';
  if (s.firstUse) return `p50 ${ms(s.firstUse.latencyMs.p50)} ms${flag}`;
  if (!s.load) return '–';
  const l = s.load;
  if (s.id === 'n-alone' || s.id === 'n' || s.id === 'n-slow' || s.id === 'f') return `p50 ${ms(l.latencyMs.p50)} ms, p99 ${ms(l.latencyMs.p99)} ms${flag}`;
  const rps = s.id === 'e-flood' ? l.rps : l.okRps;
  return `${num(rps)} req/s, p99 ${ms((s.id === 'e-flood' ? l.latencyAllMs : l.latencyMs).p99)} ms${flag}`;
}

/** Scenarios and targets of every database next to each other. */
function sideBySide(report: BenchReport): { scenarios: [string[], string[][]]; targets: [string[], string[][]] } {
  const dbs = report.databases;
  const ids: ScenarioId[] = [];
  const titles = new Map<ScenarioId, string>();
  for (const d of dbs) {
    for (const s of d.scenarios) {
      if (!titles.has(s.id)) {
        ids.push(s.id);
        titles.set(s.id, s.title);
      }
    }
  }
  const scenarioRows = ids.map((id) => [`(${id}) ${titles.get(id)}`, ...dbs.map((d) => (d.status === 'ran' ? headline(d.scenarios.find((s) => s.id === id)) : d.status))]);
  const names: string[] = [];
  for (const d of dbs) for (const t of d.targets) if (!names.includes(t.name)) names.push(t.name);
  const targetRows = names.map((name) => {
    const goal = dbs.map((d) => d.targets.find((t) => t.name === name)?.goal).find(Boolean) ?? '';
    return [
      name,
      goal,
      ...dbs.map((d) => {
        const t = d.targets.find((x) => x.name === name);
        if (!t) return d.status;
        const value = t.value === null ? '–' : t.unit === 'ms' ? `${ms(t.value)} ms` : num(t.value, 2);
        return `${value} ${t.verdict}`;
      }),
    ];
  });
  targetRows.push(['targets met', '', ...dbs.map((d) => (d.status === 'ran' ? `${targetsMet(d)}/${d.targets.length}` : d.status))]);
  return {
    scenarios: [['scenario', ...dbs.map((d) => d.title)], scenarioRows],
    targets: [['target', 'goal', ...dbs.map((d) => d.title)], targetRows],
  };
}

function seedNote(d: DatabaseReport): string {
  const seed = d.neighbourSeed as { rows?: number; keys?: number; ms?: number; skipped?: string } | undefined;
  if (!seed) return '';
  if (seed.skipped) return `(n) not seeded: ${seed.skipped}`;
  return `(n) ran against tenant A's ${num(seed.rows)} usage rows of ${num(seed.keys)} keys, written with SQL in ${num((seed.ms ?? 0) / 1000, 1)} s.`;
}

function databaseText(d: DatabaseReport): string {
  const head = `== ${d.title}${d.database ? `: ${d.database}` : ''} ==`;
  if (d.status !== 'ran') return `${head}\n${d.status.toUpperCase()}: ${d.reason ?? ''}`;
  const failedTargets = d.targets.filter((t) => t.verdict !== 'PASS');
  return [
    head,
    textTable(SCENARIO_HEADER, d.scenarios.map(scenarioCells)),
    '',
    textTable(TARGET_HEADER, d.targets.map(targetCells)),
    '',
    textTable(INFO_HEADER, d.informational.map(targetCells)),
    ...(d.attacks.length ? ['', textTable(ATTACK_HEADER, d.attacks.map(attackCells))] : []),
    ...(seedNote(d) ? ['', seedNote(d)] : []),
    '',
    `targets met on ${d.title}: ${targetsMet(d)}/${d.targets.length}` +
      (failedTargets.length ? `  <<< ${failedTargets.map((t) => `${t.name} ${t.verdict}`).join(', ')}` : '  (all PASS)'),
    ...(busyWarning(d) ? [busyWarning(d)] : []),
  ].join('\n');
}

export function printReport(report: BenchReport): string {
  const side = sideBySide(report);
  return [
    '',
    ...report.databases.map((d) => `${databaseText(d)}\n`),
    '== side by side ==',
    textTable(...side.scenarios),
    '',
    textTable(...side.targets),
  ].join('\n');
}

function databaseMarkdown(d: DatabaseReport): string {
  const head = `### ${d.title}`;
  if (d.status !== 'ran') return `${head}\n\n**${d.status === 'skipped' ? 'Skipped' : 'Failed'}**: ${d.reason ?? ''}`;
  return [
    head,
    '',
    `Database: ${d.database}${d.durationSec !== undefined ? ` · ${num(d.durationSec)} s` : ''}`,
    '',
    markdownTable(SCENARIO_HEADER, d.scenarios.map(scenarioCells)),
    '',
    markdownTable(TARGET_HEADER, d.targets.map(targetCells)),
    '',
    markdownTable(INFO_HEADER, d.informational.map(targetCells)),
    '',
    ...(d.attacks.length ? [markdownTable(ATTACK_HEADER, d.attacks.map(attackCells)), ''] : []),
    ...(seedNote(d) ? [seedNote(d), ''] : []),
    `**Targets met on ${d.title}: ${targetsMet(d)}/${d.targets.length}.**`,
    ...(busyWarning(d) ? ['', `> ${busyWarning(d)}`] : []),
  ].join('\n');
}

export function markdownSection(report: BenchReport, jsonPath: string): string {
  const m = report.meta as Record<string, string | number | boolean>;
  const s = report.settings as Record<string, string | number | boolean>;
  const side = sideBySide(report);
  return [
    `Last run: ${m.date} · commit \`${String(m.gitCommit).slice(0, 12)}\`${m.gitDirty ? ' (with uncommitted changes)' : ''} · ` +
      `Node ${m.node} · ${m.cpuCount} × ${m.cpuModel} · load average at start ${m.loadAverageAtStart} · ` +
      `bcrypt cost ${m.bcryptCost} · LOG_LEVEL=${s.logLevel} · ` +
      `${s.connections} connections, pipelining ${s.pipelining}, ${s.durationSec} s measured after ${s.warmupSec} s warm-up · ` +
      `full result: \`${jsonPath}\``,
    '',
    '### Side by side',
    '',
    markdownTable(...side.scenarios),
    '',
    markdownTable(...side.targets),
    '',
    ...report.databases.map((d) => `${databaseMarkdown(d)}\n`),
  ].join('\n').trimEnd();
}

function busyWarning(d: DatabaseReport): string {
  const busy = d.scenarios.filter((s) => busyNote(s) !== '' && s.id !== 'e-flood' && s.id !== 'n-noisy');
  return busy.length
    ? `WARNING: the machine was busy with other work during ${busy.map((s) => `(${s.id})`).join(', ')} ` +
        `(other processes used more than ${BUSY_OTHER_CORES} of a core on average): those numbers are low and noisy; rerun on a quiet machine.`
    : '';
}

export const MARK_START = '<!-- bench:start -->';
export const MARK_END = '<!-- bench:end -->';

const DOC_TEMPLATE = `# Benchmarks

See the method below the table. The table between the markers is regenerated by \`npm run bench\`.

${MARK_START}
${MARK_END}
`;

/** Replaces the section between the markers, keeping everything around it. */
export function updateDocs(docPath: string, section: string): void {
  const current = existsSync(docPath) ? readFileSync(docPath, 'utf8') : DOC_TEMPLATE;
  const start = current.indexOf(MARK_START);
  const end = current.indexOf(MARK_END);
  const body = `${MARK_START}\n${section}\n${MARK_END}`;
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + body + current.slice(end + MARK_END.length)
      : `${current.trimEnd()}\n\n${body}\n`;
  mkdirSync(dirname(docPath), { recursive: true });
  writeFileSync(docPath, next);
}

export function writeJson(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Local calendar date, YYYY-MM-DD. */
export function localDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function resultsPath(root: string, d = new Date(), suffix = ''): string {
  return join(root, 'bench', 'results', `${localDate(d)}${suffix}.json`);
}

// ---------------------------------------------------------------------------------------------
// Verdicts

function byId(report: { scenarios: ScenarioOutcome[] }, id: ScenarioId): ScenarioOutcome | undefined {
  return report.scenarios.find((s) => s.id === id);
}

/** `num / den` of 2xx req/s against `>= goal`. */
export function ratioTarget(
  scenarios: ScenarioOutcome[],
  name: string,
  numId: ScenarioId,
  denId: ScenarioId,
  goal: number,
): TargetOutcome {
  const n = byId({ scenarios }, numId);
  const d = byId({ scenarios }, denId);
  const goalText = `≥ ${goal.toFixed(2)}`;
  const missing = [n, d].find((s) => !s || s.status === 'skipped' || s.status === 'failed' || !s.load);
  if (missing !== undefined || !n?.load || !d?.load) {
    const which = missing ?? n ?? d;
    return {
      name,
      value: null,
      unit: '',
      goal: goalText,
      verdict: 'SKIPPED',
      note: which ? `(${which.id}) ${which.status}: ${which.problems.join('; ')}` : 'not run',
    };
  }
  const value = d.load.okRps > 0 ? n.load.okRps / d.load.okRps : NaN;
  const invalid = [n, d].filter((s) => s.status !== 'valid');
  const detail = `${num(n.load.okRps)} / ${num(d.load.okRps)} req/s`;
  if (invalid.length || Number.isNaN(value)) {
    return {
      name,
      value: Number.isNaN(value) ? null : value,
      unit: '',
      goal: goalText,
      verdict: 'INVALID',
      note: `${detail}; invalid input: ${invalid.map((s) => `(${s.id})`).join(', ') || 'no 2xx'}`,
    };
  }
  return { name, value, unit: '', goal: goalText, verdict: value >= goal ? 'PASS' : 'FAIL', note: detail };
}

/** (f): p99 of 2xx latency at the fixed rate against `<= goalMs`; the rate must have been reached. */
export function fixedRateTarget(scenarios: ScenarioOutcome[], rate: number, goalMs: number): TargetOutcome {
  const f = byId({ scenarios }, 'f');
  const name = `p99 of (b) at ${num(rate)} req/s`;
  const goal = `≤ ${goalMs} ms`;
  if (!f?.load || f.status === 'skipped' || f.status === 'failed') {
    return { name, value: null, unit: 'ms', goal, verdict: 'SKIPPED', note: f ? f.problems.join('; ') : 'not run' };
  }
  const value = f.load.latencyMs.p99;
  const achieved = f.load.okRps;
  const notes = [`p50 ${ms(f.load.latencyMs.p50)} ms, ${num(achieved)} req/s achieved`];
  // The generator's own lateness is not in the latency; shown so a late schedule is not mistaken for 1,000 req/s.
  if (f.load.scheduleLagMs) notes.push(`requests sent late by p99 ${ms(f.load.scheduleLagMs.p99)} ms`);
  let verdict: Verdict = Number.isNaN(value) ? 'INVALID' : value <= goalMs ? 'PASS' : 'FAIL';
  if (f.status === 'invalid') {
    verdict = 'INVALID';
    notes.push('invalid: non-2xx or errors');
  } else if (achieved < rate * 0.95) {
    verdict = 'FAIL';
    notes.push(`could not sustain ${num(rate)} req/s`);
  }
  return { name, value: Number.isNaN(value) ? null : value, unit: 'ms', goal, verdict, note: notes.join('; ') };
}

/** `num`'s p50 latency over `den`'s against `<= goal` (a slowdown factor). */
export function latencyRatioTarget(
  scenarios: ScenarioOutcome[],
  name: string,
  numId: ScenarioId,
  denId: ScenarioId,
  goal: number,
): TargetOutcome {
  const n = byId({ scenarios }, numId);
  const d = byId({ scenarios }, denId);
  const goalText = `≤ ${goal.toFixed(2)}`;
  if (!n?.load || !d?.load) {
    const which = [n, d].find((s) => s && !s.load) ?? undefined;
    return { name, value: null, unit: '', goal: goalText, verdict: 'SKIPPED', note: which ? `(${which.id}) ${which.status}: ${which.problems.join('; ')}` : 'not run' };
  }
  const value = n.load.latencyMs.p50 / d.load.latencyMs.p50;
  const detail = `p50 ${ms(d.load.latencyMs.p50)} ms alone → ${ms(n.load.latencyMs.p50)} ms (p99 ${ms(d.load.latencyMs.p99)} → ${ms(n.load.latencyMs.p99)} ms)`;
  const invalid = [n, d].filter((s) => s.status !== 'valid');
  if (invalid.length || !Number.isFinite(value)) {
    return { name, value: Number.isFinite(value) ? value : null, unit: '', goal: goalText, verdict: 'INVALID', note: `${detail}; invalid input: ${invalid.map((s) => `(${s.id})`).join(', ') || 'no 2xx'}` };
  }
  return { name, value, unit: '', goal: goalText, verdict: value <= goal ? 'PASS' : 'FAIL', note: detail };
}
