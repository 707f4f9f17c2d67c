/**
 * Records the probe output of every case in cases.ts: local cases on this machine,
 * `on: 'lab'` cases on lab1 (a real Debian host with systemd and apt), over SSH:
 *   npm run build && sudo node bin/tsplay.js lab up 1 && node dist/test/unit/modules/record-probes.js [MODULE...]
 * Run it again when a module's probe command changes (the decision test says so).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkArgs } from '../../../engine/modules/args.js';
import { loadModules } from '../../../engine/modules/registry.js';
import type { Operation } from '../../../engine/modules/types.js';
import { ROOT } from '../../helpers.js';
import { CASES, DIR } from './cases.js';

const modules = await loadModules();
const out = join(ROOT, 'test/fixtures/probes');
mkdirSync(out, { recursive: true });
const byModule = new Map<string, unknown[]>();
/** The recordings already there, kept for the modules not asked for. */
function existing(): Record<string, unknown[]> {
  if (!existsSync(out)) return {};
  return Object.fromEntries(
    readdirSync(out)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(out, f), 'utf8')) as unknown[]]),
  );
}
const only = process.argv.slice(2);
const LAB = [
  '-i',
  '/var/lib/tsplay-lab/ssh/id_ed25519',
  '-o',
  'UserKnownHostsFile=/var/lib/tsplay-lab/ssh/known_hosts',
  '-o',
  'BatchMode=yes',
  'root@10.77.0.11',
];
const sh = (on: 'local' | 'lab' | undefined, script: string) =>
  on === 'lab' ? spawnSync('ssh', [...LAB, script], { encoding: 'utf8' }) : spawnSync('sh', ['-c', script], { encoding: 'utf8' });
for (const [m, list] of Object.entries(existing())) if (only.length && !only.includes(m)) byModule.set(m, list);
for (const c of CASES) {
  if (only.length && !only.includes(c.module)) continue;
  const set = sh(c.on, `rm -rf ${DIR} && mkdir -p ${DIR} && ${c.setup}`);
  if (set.status !== 0) throw new Error(`setup of '${c.name}' failed: ${set.stderr}`);
  const mod = modules.get(c.module) as Operation<object, unknown, unknown, unknown>;
  const args = checkArgs(mod, c.args, false).args;
  const command = mod.probe(args, c.prep?.(), { check: false, diff: true, host: 'fixture' }).command;
  const r = sh(c.on, command);
  const list = byModule.get(c.module) ?? [];
  list.push({ name: c.name, command, rc: r.status, stdout: r.stdout, stderr: r.stderr });
  byModule.set(c.module, list);
}
for (const [m, list] of byModule) writeFileSync(join(out, `${m}.json`), `${JSON.stringify(list, null, 2)}\n`);
const asked = CASES.filter((c) => !only.length || only.includes(c.module));
console.log(`recorded ${asked.length} probes of ${new Set(asked.map((c) => c.module)).size} modules in ${out}`);
