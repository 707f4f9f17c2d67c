/**
 * npm run cluster-e2e: a real Kubernetes cluster on the lab, built by playbooks/setup.yml
 * from the offline bundle (tsplay bundle build --from-source, reused when it verifies).
 * No stand-in: the real kubeadm, kubelet, containerd, etcd, CoreDNS and Flannel.
 * Prints one line per check and a closing `N passed, M failed`; exits 1 if any failed.
 * Each tsplay run's whole output goes to $TSPLAY_E2E_LOGS (default /tmp/tsplay-cluster-e2e).
 *
 *   npm run cluster-e2e                       every part
 *   npm run cluster-e2e -- single ha          only these parts (single, lifecycle, ha)
 */

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildFromSource, DEFAULT_VERSIONS, defaultCacheDir } from '../../bundle/build.js';
import { verifyBundle } from '../../bundle/manifest.js';
import { defaultBundleDir } from '../../bundle/paths.js';
import { LAB_VIP, type LabState, labDown, labUp, readState } from '../../lab/lab.js';
import { inHost } from '../lab-support.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LOGS = process.env.TSPLAY_E2E_LOGS ?? '/tmp/tsplay-cluster-e2e';
const LAB_INV = join(ROOT, 'inventories', 'lab');
const KUBECTL = 'kubectl --kubeconfig /etc/kubernetes/admin.conf';
let passed = 0;
let failed = 0;
const t0 = Date.now();

function line(s: string): void {
  process.stdout.write(`${s}\n`);
}

async function check(name: string, f: () => Promise<string | void>): Promise<boolean> {
  const t = Date.now();
  try {
    const detail = await f();
    passed++;
    line(`ok   ${name}${detail ? `: ${detail}` : ''} (${((Date.now() - t) / 1000).toFixed(0)}s)`);
    return true;
  } catch (e) {
    failed++;
    line(`FAIL ${name}: ${(e as Error).message.split('\n').slice(0, 25).join('\n     ')}`);
    return false;
  }
}

function must(cond: boolean, msg: string): void {
  if (!cond) throw new Error(msg);
}

let runNo = 0;
/** tsplay as a user runs it, its output kept in the log folder. */
async function tsplay(args: string[]): Promise<{ code: number; out: string; log: string }> {
  const log = join(
    LOGS,
    `${String(++runNo).padStart(2, '0')}-${args
      .slice(0, 2)
      .join('-')
      .replace(/[^\w.-]+/g, '_')}.log`,
  );
  const r = await execa('node', [join(ROOT, 'bin', 'tsplay.js'), ...args], { cwd: ROOT, reject: false, all: true, env: { NO_COLOR: '1' } });
  writeFileSync(log, `$ tsplay ${args.join(' ')}\n${r.all ?? ''}\nexit ${r.exitCode}\n`);
  return { code: r.exitCode ?? 1, out: r.all ?? '', log };
}

/** Per host: the PLAY RECAP's counters. */
function recap(out: string): Record<string, Record<string, number>> {
  const res: Record<string, Record<string, number>> = {};
  const part = out.slice(out.lastIndexOf('PLAY RECAP'));
  for (const m of part.matchAll(/^(\S+)\s+:\s+(.*)$/gm)) {
    res[m[1]!] = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1]!, Number(x[2])]));
  }
  return res;
}

function tail(out: string, n = 30): string {
  return out.split('\n').slice(-n).join('\n');
}

async function sh(lab: LabState, host: string, cmd: string): Promise<string> {
  const r = await inHost(lab, host, cmd);
  if (r.exitCode !== 0) throw new Error(`${host}: '${cmd}' exited ${r.exitCode}: ${r.stdout.slice(-1500)}`);
  return r.stdout;
}

/** Polls until f returns a string (done) or the time is up; the last attempt's reason is the error. */
async function until(what: string, seconds: number, f: () => Promise<string | undefined>, diagnose?: () => Promise<string>): Promise<string> {
  const end = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < end) {
    try {
      const r = await f();
      if (r !== undefined) return r;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  throw new Error(`${what}: not within ${seconds}s${last ? ` (${last})` : ''}${diagnose ? `\n${await diagnose().catch((e) => String(e))}` : ''}`);
}

async function bundle(): Promise<string> {
  const dir = defaultBundleDir();
  if (existsSync(join(dir, 'manifest.json'))) {
    const v = await verifyBundle(dir);
    if (!v.problems.length && `v${v.manifest.kubernetes_version}` === DEFAULT_VERSIONS.kubernetes)
      return `${dir} verified (${(v.bytes / 1048576).toFixed(0)} MiB)`;
  }
  await buildFromSource({
    dir,
    versions: DEFAULT_VERSIONS,
    imageRepository: 'registry.k8s.io',
    cacheDir: defaultCacheDir(),
    log: (s) => appendFileSync(join(LOGS, 'bundle-build.log'), s),
  });
  const v = await verifyBundle(dir);
  must(!v.problems.length, `bundle verify: ${JSON.stringify(v.problems)}`);
  return `${dir} built (${(v.bytes / 1048576).toFixed(0)} MiB)`;
}

const diagnoseNodes = (lab: LabState, master: string, hosts: string[]) => async (): Promise<string> => {
  const parts = [
    await inHost(
      lab,
      master,
      `${KUBECTL} get nodes -o wide; ${KUBECTL} get pods -A -o wide; ${KUBECTL} get events -A --field-selector type!=Normal | tail -20`,
    ),
  ];
  for (const h of hosts)
    parts.push({
      stdout: `--- ${h}: journalctl -u kubelet (last lines)\n${(await inHost(lab, h, 'journalctl -u kubelet --no-pager -n 12')).stdout}`,
      exitCode: 0,
    });
  return parts.map((p) => p.stdout).join('\n');
};

async function nodesReady(lab: LabState, master: string, want: number, hosts: string[], seconds = 300): Promise<string> {
  return until(
    `${want} nodes Ready`,
    seconds,
    async () => {
      const out = await sh(lab, master, `${KUBECTL} get nodes --no-headers`);
      const ready = out.split('\n').filter((l) => / Ready /.test(l)).length;
      return ready === want && out.trim().split('\n').length === want ? `${ready} Ready` : undefined;
    },
    diagnoseNodes(lab, master, hosts),
  );
}

/** An image for the test pods: Debian's static busybox (ping, nslookup, wget), imported on each node. */
async function testImage(lab: LabState, hosts: string[], runtime: 'containerd' | 'docker'): Promise<string> {
  const name = 'tsplay.local/e2e/busybox:1';
  const { writeImageArchive } = await import('../../bundle/oci.js');
  const file = '/tmp/tsplay-e2e-busybox.tar';
  if (!existsSync('/bin/busybox')) await execa('apt-get', ['install', '-y', '-qq', 'busybox-static']);
  await writeImageArchive(
    {
      name,
      root: {
        files: { '/bin/busybox': '/bin/busybox' },
        links: Object.fromEntries(['sh', 'ping', 'nslookup', 'wget', 'sleep', 'ip', 'cat', 'hostname'].map((t) => [`/bin/${t}`, 'busybox'])),
        dirs: { '/tmp': 0o1777 },
      },
      entrypoint: ['/bin/sh'],
    },
    file,
  );
  // Copied in through the host's root (its /tmp is a tmpfs of its own, so /var/tmp).
  for (const h of hosts) {
    const root = lab.hosts.find((x) => x.name === h)!.root;
    await execa('cp', [file, join(root, 'var', 'tmp', 'e2e-busybox.tar')]);
    await sh(
      lab,
      h,
      runtime === 'docker' ? 'docker load -i /var/tmp/e2e-busybox.tar >/dev/null' : 'ctr -n k8s.io images import /var/tmp/e2e-busybox.tar >/dev/null',
    );
  }
  return name;
}

function podYaml(name: string, node: string, image: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels: {app: ${name}}\nspec:\n  nodeName: ${node}\n  containers:\n  - name: c\n    image: ${image}\n    imagePullPolicy: Never\n    command: [/bin/sh, -c, "sleep 100000"]\n`;
}

async function clusterChecks(lab: LabState, master: string, workers: string[], all: string[], runtime: 'containerd' | 'docker' = 'containerd'): Promise<void> {
  await check(`kubectl get nodes: ${all.length} nodes Ready`, () => nodesReady(lab, master, all.length, all));
  await check('coredns and kube-proxy pods Running', () =>
    until(
      'coredns and kube-proxy Running',
      240,
      async () => {
        const out = await sh(lab, master, `${KUBECTL} -n kube-system get pods --no-headers`);
        const dns = out.split('\n').filter((l) => l.startsWith('coredns-'));
        const proxy = out.split('\n').filter((l) => l.startsWith('kube-proxy-'));
        const running = (ls: string[]) => ls.length > 0 && ls.every((l) => /\s1\/1\s+Running\s/.test(l));
        return running(dns) && running(proxy) && proxy.length === all.length ? `${dns.length} coredns, ${proxy.length} kube-proxy` : undefined;
      },
      diagnoseNodes(lab, master, all),
    ),
  );
  const pods = workers.slice(0, 2).map((w, i) => ({ name: `e2e-${i}`, node: w }));
  await check(`a pod on each of ${pods.map((p) => p.node).join(', ')} pings the other across nodes`, async () => {
    const image = await testImage(lab, workers, runtime);
    const manifest = pods.map((p) => podYaml(p.name, p.node, image)).join('---\n');
    await sh(
      lab,
      master,
      `cat > /tmp/e2e-pods.yaml <<'EOF'\n${manifest}EOF\n${KUBECTL} delete -f /tmp/e2e-pods.yaml --ignore-not-found --wait >/dev/null; ${KUBECTL} apply -f /tmp/e2e-pods.yaml >/dev/null && ${KUBECTL} wait --for=condition=Ready pod/e2e-0 pod/e2e-1 --timeout=180s >/dev/null`,
    );
    const ip = (p: string) => sh(lab, master, `${KUBECTL} get pod ${p} -o jsonpath='{.status.podIP}'`);
    const [ip0, ip1] = [await ip('e2e-0'), await ip('e2e-1')];
    must(ip0 !== ip1 && !!ip0 && !!ip1, `pod IPs ${ip0} ${ip1}`);
    const a = await sh(lab, master, `${KUBECTL} exec e2e-0 -- ping -c 2 -W 3 ${ip1}`);
    const b = await sh(lab, master, `${KUBECTL} exec e2e-1 -- ping -c 2 -W 3 ${ip0}`);
    must(/2 packets received/.test(a) && /2 packets received/.test(b), `${a}\n${b}`);
    return `${ip0} <-> ${ip1}`;
  });
  await check('a Service name resolves through cluster DNS from a pod', async () => {
    await sh(lab, master, `${KUBECTL} delete service e2e-svc --ignore-not-found >/dev/null; ${KUBECTL} expose pod e2e-1 --name e2e-svc --port 80 >/dev/null`);
    const clusterIp = (await sh(lab, master, `${KUBECTL} get service e2e-svc -o jsonpath='{.spec.clusterIP}'`)).trim();
    const out = await until('nslookup e2e-svc', 90, async () => {
      const r = await sh(lab, master, `${KUBECTL} exec e2e-0 -- nslookup e2e-svc.default.svc.cluster.local`);
      return r.includes(clusterIp) ? r : undefined;
    });
    return `e2e-svc.default.svc.cluster.local -> ${clusterIp} (${/Server:\s+(\S+)/.exec(out)?.[1] ?? '?'})`;
  });
}

/** Paths a setup run writes; a --check run on fresh hosts must leave every one of them absent. */
const WRITTEN = [
  '/usr/bin/kubeadm',
  '/usr/bin/kubelet',
  '/etc/kubernetes/kubeadm-config.yaml',
  '/etc/sysctl.d/k8s.conf',
  '/etc/containerd/config.toml',
  '/var/lib/tsplay/images',
  '/etc/systemd/system/kubelet.service',
  '/opt/cni/bin/flannel',
];

async function single(): Promise<void> {
  line('-- single master + 2 workers, containerd, Flannel, from the offline bundle');
  const lab = await labUp({ count: 3, mode: 'boot', log: () => undefined });
  const all = ['lab1', 'lab2', 'lab3'];
  await check('--check on fresh hosts predicts changes and touches nothing', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV, '--check']);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out)}`);
    const rc = recap(r.out);
    for (const h of all) must((rc[h]?.changed ?? 0) > 0, `${h} predicted no change: ${JSON.stringify(rc[h])}`);
    for (const h of all) for (const p of WRITTEN) must((await inHost(lab, h, `test -e ${p}`)).exitCode !== 0, `${h}: ${p} exists after --check`);
    return all.map((h) => `${h} changed=${rc[h]!.changed}`).join(' ');
  });
  const ok = await check('tsplay run playbooks/setup.yml -i inventories/lab exits 0', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV]);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
    return (/Playbook run took[^\n]*/.exec(r.out) ?? [''])[0] || r.log;
  });
  if (!ok) return;
  await clusterChecks(lab, 'lab1', ['lab2', 'lab3'], all);
  await check('setup.yml again reports changed=0 for every host', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV]);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out)}`);
    const rc = recap(r.out);
    for (const h of all) must(rc[h]?.changed === 0, `${h}: ${JSON.stringify(rc[h])} (${r.log})`);
    return all.map((h) => `${h} ok=${rc[h]!.ok} changed=0`).join(' ');
  });
  await check('--check on the running cluster predicts no change', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV, '--check']);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out)}`);
    const rc = recap(r.out);
    for (const h of all) must(rc[h]?.changed === 0, `${h}: ${JSON.stringify(rc[h])} (${r.log})`);
  });
}

function inventoryWith(hosts: Record<string, string[]>): string {
  // The lab's own inventory, regrouped: add-node needs a host that is not in the cluster yet.
  const state = readState()!;
  const dir = join(LOGS, 'inventory');
  mkdirSync(join(dir, 'group_vars'), { recursive: true });
  writeFileSync(join(dir, 'group_vars', 'all.yml'), readFileSync(join(LAB_INV, 'group_vars', 'all.yml'), 'utf8'));
  const hostLine = (n: string) => `        ${n}: {ansible_host: ${state.hosts.find((h) => h.name === n)!.address}}\n`;
  const group = (g: string) =>
    `    ${g}:\n      hosts:\n${(hosts[g] ?? []).length ? hosts[g]!.map(hostLine).join('') : '        {}\n'}`.replace(
      '      hosts:\n        {}\n',
      '      hosts: {}\n',
    );
  writeFileSync(
    join(dir, 'hosts.yml'),
    `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${state.key}\n    ansible_ssh_known_hosts_file: ${state.knownHosts}\n  children:\n${group('kube_master')}${group('kube_node')}${group('lb')}    k8s_cluster:\n      children:\n        kube_master:\n        kube_node:\n`,
  );
  return dir;
}

async function lifecycle(): Promise<void> {
  line('-- add-node, remove-node and reset on a running cluster');
  const lab = await labUp({ count: 4, mode: 'boot', log: () => undefined });
  const inv3 = inventoryWith({ kube_master: ['lab1'], kube_node: ['lab2', 'lab3'] });
  const ok = await check('setup.yml builds lab1..lab3', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', inv3]);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
  });
  if (!ok) return;
  await check('3 nodes Ready', () => nodesReady(lab, 'lab1', 3, ['lab1', 'lab2', 'lab3']));
  const inv4 = inventoryWith({ kube_master: ['lab1'], kube_node: ['lab2', 'lab3', 'lab4'] });
  const add = async (label: string) =>
    check(label, async () => {
      const r = await tsplay(['run', 'playbooks/add-node.yml', '-i', inv4, '--limit', 'kube_master[0]:lab4']);
      must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
      const rc = recap(r.out);
      must(rc.lab1?.changed === 0, `the master changed: ${JSON.stringify(rc.lab1)} (${r.log})`);
      must((rc.lab4?.changed ?? 0) > 0, `lab4 did not change: ${JSON.stringify(rc.lab4)}`);
      await nodesReady(lab, 'lab1', 4, ['lab4']);
      return `lab4 Ready, lab1 changed=0`;
    });
  await add('add-node.yml joins lab4 (Ready; the master reports no change)');
  await check('remove-node.yml -e node=lab4 drains and removes it', async () => {
    const r = await tsplay(['run', 'playbooks/remove-node.yml', '-i', inv4, '-e', 'node=lab4']);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
    const nodes = await sh(lab, 'lab1', `${KUBECTL} get nodes --no-headers`);
    must(!/^lab4\s/m.test(nodes), `lab4 still listed:\n${nodes}`);
    must((await inHost(lab, 'lab4', 'test -e /etc/kubernetes/kubelet.conf')).exitCode !== 0, 'lab4 still has kubelet.conf');
  });
  await check('reset.yml on lab4, then it joins again', async () => {
    const r = await tsplay(['run', 'playbooks/reset.yml', '-i', inv4, '--limit', 'lab4']);
    must(r.code === 0, `reset exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
    const j = await tsplay(['run', 'playbooks/add-node.yml', '-i', inv4, '--limit', 'kube_master[0]:lab4']);
    must(j.code === 0, `join exit ${j.code} (${j.log})\n${tail(j.out, 40)}`);
    return nodesReady(lab, 'lab1', 4, ['lab4']);
  });
}

async function ha(): Promise<void> {
  line('-- HA: 3 masters, 1 worker, 1 load balancer (HAProxy, keepalived VIP)');
  const lab = await labUp({ count: 5, mode: 'boot', masters: 3, lbs: 1, log: () => undefined });
  const all = ['lab1', 'lab2', 'lab3', 'lab4'];
  const ok = await check('setup.yml with the VIP as control-plane endpoint exits 0', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV]);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
  });
  if (!ok) return;
  await check('4 nodes Ready, 3 of them control-plane', async () => {
    await nodesReady(lab, 'lab1', 4, all, 420);
    const cp = await sh(lab, 'lab1', `${KUBECTL} get nodes -l node-role.kubernetes.io/control-plane --no-headers | wc -l`);
    must(cp.trim() === '3', `control-plane nodes: ${cp}`);
  });
  await check(`the API answers through the VIP ${LAB_VIP}`, async () => {
    const out = await sh(lab, 'lab4', `kubectl --kubeconfig /etc/kubernetes/kubelet.conf --server https://${LAB_VIP}:6443 get --raw /readyz 2>&1`);
    must(out.trim() === 'ok', out);
    const held = await sh(lab, 'lab5', `ip -4 addr show host0`);
    must(held.includes(LAB_VIP), `lab5 does not hold the VIP:\n${held}`);
    return 'readyz ok, VIP on lab5';
  });
  const wide = await inHost(lab, 'lab1', `${KUBECTL} get nodes -o wide`);
  writeFileSync(join(LOGS, 'ha-nodes-wide.txt'), wide.stdout);
  line(
    wide.stdout
      .split('\n')
      .map((l) => `     ${l}`)
      .join('\n'),
  );
  await check('with lab1 powered off, the API still answers through the VIP', async () => {
    await inHost(lab, 'lab1', 'systemctl poweroff');
    // admin.conf's server is the control-plane endpoint, the VIP: HAProxy must stop sending to lab1.
    return until(
      'API through the VIP without lab1',
      180,
      async () => {
        const out = await sh(lab, 'lab2', `${KUBECTL} get --raw /readyz 2>&1 && ${KUBECTL} get nodes --no-headers 2>&1`);
        const nodes = out
          .split('\n')
          .filter((l) => /^lab\d+\s/.test(l))
          .map((l) => l.split(/\s+/).slice(0, 2).join(' '));
        return /^ok/.test(out) && nodes.some((n) => n.startsWith('lab4 ')) ? `readyz ok; through the VIP: ${nodes.join(', ')}` : undefined;
      },
      async () => (await inHost(lab, 'lab5', 'journalctl -u haproxy --no-pager -n 10; echo; ss -tn | head')).stdout,
    );
  });
}

async function docker(): Promise<void> {
  line('-- Docker and cri-dockerd instead of containerd');
  const lab = await labUp({ count: 3, mode: 'boot', log: () => undefined });
  const all = ['lab1', 'lab2', 'lab3'];
  const ok = await check('setup.yml -e container_runtime=docker exits 0', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV, '-e', 'container_runtime=docker']);
    must(r.code === 0, `exit ${r.code} (${r.log})\n${tail(r.out, 40)}`);
  });
  if (!ok) return;
  await check('every node runs docker through cri-dockerd', async () => {
    const out = await sh(lab, 'lab1', `${KUBECTL} get nodes -o jsonpath='{range .items[*]}{.status.nodeInfo.containerRuntimeVersion} {end}'`);
    must(
      out.trim().split(' ').length === 3 &&
        out
          .trim()
          .split(' ')
          .every((v) => v.startsWith('docker://')),
      out,
    );
    return out.trim();
  });
  await clusterChecks(lab, 'lab1', ['lab2', 'lab3'], all, 'docker');
  await check('setup.yml again reports changed=0 for every host', async () => {
    const r = await tsplay(['run', 'playbooks/setup.yml', '-i', LAB_INV, '-e', 'container_runtime=docker']);
    const rc = recap(r.out);
    must(r.code === 0 && all.every((h) => rc[h]?.changed === 0), `exit ${r.code}: ${JSON.stringify(rc)} (${r.log})`);
  });
}

const PARTS: Record<string, () => Promise<void>> = { single, lifecycle, ha, docker };

async function main(): Promise<void> {
  mkdirSync(LOGS, { recursive: true });
  const want = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PARTS);
  for (const w of want) if (!PARTS[w]) throw new Error(`unknown part '${w}': expected ${Object.keys(PARTS).join(', ')}`);
  line(`cluster-e2e: ${want.join(', ')}; logs in ${LOGS}`);
  const ok = await check('offline bundle built or reused, and verified', bundle);
  if (ok) {
    for (const w of want) {
      try {
        await PARTS[w]!();
      } catch (e) {
        failed++;
        line(`FAIL ${w}: ${(e as Error).message}`);
      }
    }
  }
  await labDown();
  line(`${passed} passed, ${failed} failed (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
  process.exitCode = failed ? 1 : 0;
}

process.on('SIGINT', () => void labDown().finally(() => process.exit(130)));
await main();
