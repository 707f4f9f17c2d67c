import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { alive, type LabState, labDown, labUp, readState } from '../lab/lab.js';

let startedHere = false;
/** labUp's own progress lines are noise in test output; the hosts' consoles after a failed boot are not. */
const consoleOnFailure = (s: string): void => {
  if (s.startsWith('---')) process.stderr.write(s);
};

/** A boot-mode lab of at least 3 hosts: reused when one runs, else started (and stopped after the suite). */
export async function ensureLab(): Promise<LabState> {
  const s = readState();
  if (s && s.mode === 'boot' && s.hosts.length >= 3 && s.hosts.every((h) => alive(h.pid))) return s;
  startedHere = true;
  return labUp({ count: 3, mode: 'boot', log: consoleOnFailure });
}

/** A freshly booted lab (new upper layers), for tests that need hosts nothing has touched. */
export async function freshLab(count = 3): Promise<LabState> {
  startedHere = true;
  return labUp({ count, mode: 'boot', log: consoleOnFailure });
}

export async function stopLabIfStartedHere(): Promise<void> {
  if (startedHere) await labDown();
  startedHere = false;
}

/** Runs a command inside a lab host from the machine, without SSH (nsenter into its namespaces). */
export async function inHost(state: LabState, name: string, command: string): Promise<{ stdout: string; exitCode: number }> {
  const h = state.hosts.find((x) => x.name === name)!;
  const init = (await execa('pgrep', ['-P', String(h.pid)], { reject: false })).stdout.trim().split('\n')[0];
  const r = await execa('nsenter', ['-t', init!, '-m', '-u', '-i', '-n', '-p', '/bin/sh', '-c', command], { reject: false });
  return { stdout: r.stdout, exitCode: r.exitCode ?? 1 };
}

/** An inventory of the lab hosts under the given groups, with extra variables per host or for all. */
export function labInventory(
  state: LabState,
  groups: Record<string, string[]>,
  allVars: Record<string, unknown> = {},
  hostVars: Record<string, Record<string, unknown>> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'labinv-'));
  const vars = { ansible_user: 'root', ansible_ssh_private_key_file: state.key, ansible_ssh_known_hosts_file: state.knownHosts, ...allVars };
  const doc = {
    all: {
      vars,
      children: Object.fromEntries(
        Object.entries(groups).map(([g, names]) => [
          g,
          { hosts: Object.fromEntries(names.map((n) => [n, { ansible_host: state.hosts.find((h) => h.name === n)!.address, ...(hostVars[n] ?? {}) }])) },
        ]),
      ),
    },
  };
  // The cluster playbooks address masters and workers together as k8s_cluster, as the example inventories do.
  if (groups.kube_master) (doc.all.children as Record<string, unknown>).k8s_cluster = { children: { kube_master: {}, kube_node: {} } };
  const file = join(dir, 'hosts.yml');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

export function knownHostsText(state: LabState): string {
  return readFileSync(state.knownHosts, 'utf8');
}
