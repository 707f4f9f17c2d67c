/**
 * `npm run bench`: tsplay against ansible-playbook on the same light-mode lab hosts.
 * Not part of npm test: it takes minutes and measures time, which tests never do.
 *
 *   npm run bench                 # 10 and 50 hosts, 3 runs each, then 100 hosts tsplay alone
 *   npm run bench -- --hosts 10 --runs 3 --big 0 --ansible-max 50
 *
 * ansible-playbook runs only up to --ansible-max hosts (default 10): on 2 cores one
 * ansible re-run of 50 hosts takes many minutes, three of them an hour.
 */

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type LabState, labDown, labUp } from '../lab/lab.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BENCH = join(ROOT, 'bench');
const BIN = join(ROOT, 'bin', 'tsplay.js');
const TASKS = 40;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

interface Sample {
  seconds: number;
  peakMiB: number;
  /** Share of the machine's CPU time in use during the run: near 100 means every core was busy. */
  busyPct: number;
  recap: string[];
  commands?: number;
}

/** Total RSS of a process and its descendants, sampled; the peak is the controller's memory. */
function treeRssKiB(pid: number): number {
  let total = 0;
  const kids = new Map<number, number[]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]);
    } catch {
      /* gone */
    }
  }
  const walk = (p: number): void => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      total += m ? Number(m[1]) : 0;
    } catch {
      return;
    }
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(pid);
  return total;
}

/** Busy and total CPU ticks of the whole machine, from /proc/stat. */
function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

async function measure(cmd: string, args: string[], env: Record<string, string>): Promise<Sample & { out: string }> {
  const c0 = cpuTicks();
  const t0 = process.hrtime.bigint();
  const child = execa(cmd, args, { env: { ...process.env, ...env }, reject: false, all: true });
  let peak = 0;
  // Every 100 ms: a walk of /proc costs CPU too, which the busy figure would count.
  const timer = setInterval(() => {
    if (child.pid) peak = Math.max(peak, treeRssKiB(child.pid));
  }, 100);
  const r = await child;
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = cpuTicks();
  const busyPct = (100 * (c1.busy - c0.busy)) / Math.max(1, c1.total - c0.total);
  const out = r.all ?? '';
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.exitCode}:\n${out.slice(-3000)}`);
  const recap = out
    .split('\n')
    .filter((l) => /^\S+\s+: ok=\d+/.test(l))
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .sort();
  return { seconds, peakMiB: peak / 1024, busyPct, recap, out };
}

function ansibleEnv(lab: LabState, forks: number): Record<string, string> {
  const cfg = join(mkdtempSync(join(tmpdir(), 'ansible-')), 'ansible.cfg');
  writeFileSync(
    cfg,
    `[defaults]\nforks = ${forks}\nhost_key_checking = True\nretry_files_enabled = False\ninterpreter_python = /usr/bin/python3\nstdout_callback = default\n\n[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=${lab.knownHosts}\ncontrol_path_dir = /tmp/ansible-cp\n`,
  );
  return { ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1', ANSIBLE_DEPRECATION_WARNINGS: '0' };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  tool: string;
  hosts: number;
  kind: string;
  seconds: number[];
  peakMiB: number;
  busyPct: number[];
  recap: string[];
  commandsPerTaskHost?: number;
}

async function benchHosts(n: number, runs: number, withAnsible: boolean): Promise<Row[]> {
  const lab = await labUp({ count: n, mode: 'light', log: (s) => process.stderr.write(s) });
  const inv = join(ROOT, 'inventories', 'lab');
  const env = ansibleEnv(lab, n);
  const rows = new Map<string, Row>();
  const add = (tool: string, kind: string, s: Sample) => {
    const key = `${tool}/${kind}`;
    const row = rows.get(key) ?? { tool, hosts: n, kind, seconds: [], peakMiB: 0, busyPct: [], recap: s.recap };
    row.seconds.push(s.seconds);
    row.busyPct.push(s.busyPct);
    row.peakMiB = Math.max(row.peakMiB, s.peakMiB);
    if (s.commands !== undefined) row.commandsPerTaskHost = s.commands;
    rows.set(key, row);
  };
  const tsplay = (pb: string, json = false) => measure('node', [BIN, 'run', join(BENCH, pb), '-i', inv, '-f', String(n), ...(json ? ['--json'] : [])], {});
  const ansible = (pb: string) => measure('ansible-playbook', [join(BENCH, pb), '-i', inv], env);
  const clean = () => measure('node', [BIN, 'run', join(BENCH, 'cleanup.yml'), '-i', inv, '-f', String(n)], {});
  const tools = withAnsible ? ['ansible', 'tsplay'] : ['tsplay'];
  for (let i = 0; i < runs; i++) {
    // Alternate which tool goes first, so neither always meets a warm cache.
    for (const tool of i % 2 ? [...tools].reverse() : tools) {
      await clean();
      const run = tool === 'tsplay' ? tsplay : ansible;
      add(tool, 'first run', await run('workload.yml'));
      const again = await run('workload.yml');
      add(tool, 're-run', again);
      add(tool, 're-run, gather_facts', await run('workload-facts.yml'));
      process.stderr.write(
        `  ${n} hosts, ${tool}, round ${i + 1}: first ${rows.get(`${tool}/first run`)!.seconds.at(-1)!.toFixed(2)}s, re-run ${again.seconds.toFixed(2)}s\n`,
      );
    }
  }
  // Remote commands per task per host for the re-run, counted by tsplay's connections.
  const j = await tsplay('workload.yml', true);
  const doc = JSON.parse(j.out.slice(j.out.indexOf('{'))) as { commands: Record<string, number> };
  const total = Object.values(doc.commands).reduce((a, b) => a + b, 0);
  rows.get('tsplay/re-run')!.commandsPerTaskHost = total / n / TASKS;
  return [...rows.values()];
}

function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  const sizes = arg('hosts', '10,50').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const big = Number(arg('big', '100'));
  // The yardstick comes from Debian, as the lab's packages do; without it the bench measures tsplay alone.
  const version = async () => (await execa('ansible-playbook', ['--version'], { reject: false })).stdout?.split('\n')[0] || undefined;
  let ansibleVersion = await version();
  if (!ansibleVersion) {
    process.stderr.write('bench: installing ansible-core with apt-get (the comparison needs ansible-playbook)\n');
    await execa('apt-get', ['install', '-y', '-qq', 'ansible-core'], { reject: false, env: { DEBIAN_FRONTEND: 'noninteractive' } });
    ansibleVersion = await version();
    if (!ansibleVersion) process.stderr.write('bench: ansible-playbook is not available; measuring tsplay alone\n');
  }
  const rows: Row[] = [];
  try {
    const ansibleMax = Number(arg('ansible-max', '10'));
    for (const n of sizes) rows.push(...(await benchHosts(n, runs, ansibleVersion !== undefined && n <= ansibleMax)));
    if (big) rows.push(...(await benchHosts(big, runs, false)).filter((r) => r.kind === 're-run'));
  } finally {
    await labDown();
  }
  const get = (tool: string, n: number, kind: string) => rows.find((r) => r.tool === tool && r.hosts === n && r.kind === kind);
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine()}; ${ansibleVersion ? `${ansibleVersion} with pipelining, ControlPersist and forks = hosts` : 'ansible-playbook not available'}.`,
    `Light-mode lab hosts (sshd in their own namespaces on 127.0.1.N). Workload: bench/workload.yml, ${TASKS} tasks per host (10 command/shell, 10 file, 10 copy, 5 lineinfile, 5 template). Seconds are wall time, median of ${runs} runs, tools alternating.`,
    '',
    '| tool | hosts | run | seconds (median) | all runs | tsplay : ansible | ms per task per host | controller peak MiB | machine CPU busy % | remote commands per task per host |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const other = r.tool === 'tsplay' ? get('ansible', r.hosts, r.kind) : undefined;
    const ratio = other ? `1 : ${(median(other.seconds) / median(r.seconds)).toFixed(1)}` : '';
    lines.push(
      `| ${r.tool} | ${r.hosts} | ${r.kind} | ${median(r.seconds).toFixed(2)} | ${r.seconds.map((s) => s.toFixed(2)).join(', ')} | ${ratio} | ${((median(r.seconds) * 1000) / TASKS / r.hosts).toFixed(2)} | ${r.peakMiB.toFixed(0)} | ${median(r.busyPct).toFixed(0)} | ${r.commandsPerTaskHost?.toFixed(2) ?? ''} |`,
    );
  }
  lines.push('', '## Recaps (must match between the tools)', '');
  for (const n of sizes) {
    for (const kind of ['first run', 're-run', 're-run, gather_facts']) {
      const a = get('ansible', n, kind);
      const t = get('tsplay', n, kind);
      if (!a) {
        lines.push(`- ${n} hosts, ${kind}: tsplay only, ansible-playbook runs up to --ansible-max hosts (first host: tsplay \`${t?.recap[0] ?? '-'}\`)`);
        continue;
      }
      const same = t && JSON.stringify(a.recap) === JSON.stringify(t.recap);
      lines.push(`- ${n} hosts, ${kind}: ${same ? 'identical' : 'DIFFERENT'} (first host: tsplay \`${t?.recap[0] ?? '-'}\`, ansible \`${a.recap[0] ?? '-'}\`)`);
    }
  }
  const t10 = get('tsplay', sizes[0]!, 're-run');
  const t50 = sizes[1] ? get('tsplay', sizes[1], 're-run') : undefined;
  const tBig = big ? get('tsplay', big, 're-run') : undefined;
  lines.push('', '## Targets', '');
  const target = (name: string, ok: boolean | undefined, detail: string) => lines.push(`- ${ok ? 'met' : 'MISSED'}: ${name} (${detail})`);
  for (const [kind, want] of [
    ['re-run', 10],
    ['first run', 5],
  ] as const) {
    const a = get('ansible', sizes[0]!, kind);
    const t = get('tsplay', sizes[0]!, kind);
    if (a && t)
      target(
        `${kind} on ${sizes[0]} hosts at least ${want}x faster than ansible-playbook`,
        median(a.seconds) / median(t.seconds) >= want,
        `${(median(a.seconds) / median(t.seconds)).toFixed(1)}x`,
      );
  }
  if (t10 && t50) {
    target(
      `${sizes[1]} hosts within twice the ${sizes[0]}-host time (re-run)`,
      median(t50.seconds) <= 2 * median(t10.seconds),
      `${median(t50.seconds).toFixed(2)}s vs ${median(t10.seconds).toFixed(2)}s`,
    );
    // The lab's hosts are processes on this machine: their sshd and shells share its cores with the controller.
    lines.push(
      `  - machine CPU busy during the re-run: ${median(t10.busyPct).toFixed(0)}% at ${sizes[0]} hosts, ${median(t50.busyPct).toFixed(0)}% at ${sizes[1]} hosts (${cpus().length} cores shared by the controller and every lab host)`,
    );
  }
  if (tBig)
    target(
      `controller memory under 5 MiB per connected host (${big} hosts)`,
      tBig.peakMiB / big < 5,
      `${(tBig.peakMiB / big).toFixed(2)} MiB per host, ${tBig.peakMiB.toFixed(0)} MiB peak in all`,
    );
  writeFileSync(join(BENCH, 'RESULTS.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  void labDown().finally(() => process.exit(1));
});
