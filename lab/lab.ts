import { spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { defaultBundleDir } from '../bundle/paths.js';
import { connectSsh } from '../engine/connection/ssh.js';
import { PROJECT_ROOT } from '../project.js';

/** Where the lab keeps its hosts' layers, keys and state; outside the project so git never sees it. */
const DEFAULT_LAB_DIR = '/var/lib/tsplay-lab';
export const LAB_DIR = process.env.TSPLAY_LAB_DIR ?? DEFAULT_LAB_DIR;
const BRIDGE = 'tsplaybr0';
const SUBNET = '10.77.0';
const NSPAWN_RUN = '/run/systemd/nspawn';
/**
 * Services of this machine that would collide or make no sense inside a lab host.
 * What the roles install (docker, containerd, haproxy, keepalived, chrony) stays
 * unmasked so they can start it for real.
 */
const MASKED = [
  'postgresql.service',
  'console-getty.service',
  'getty@tty1.service',
  'systemd-timesyncd.service',
  'e2scrub_reap.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'man-db.timer',
  'dpkg-db-backup.timer',
  'e2scrub_all.timer',
  'fstrim.timer',
  'redis-server.service',
  'nginx.service',
  'memcached.service',
];

export type LabMode = 'boot' | 'light';

export interface LabHost {
  name: string;
  address: string;
  pid: number;
  root: string;
}

export interface LabState {
  mode: LabMode;
  hosts: LabHost[];
  key: string;
  knownHosts: string;
  mountedNspawnRun: boolean;
  started: string;
}

const statePath = join(LAB_DIR, 'state.json');

async function sh(script: string, check = true): Promise<string> {
  const r = await execa('/bin/sh', ['-c', script], { reject: false });
  if (check && r.exitCode !== 0) throw new Error(`lab: command failed (${r.exitCode}): ${script}\n${r.stderr}`);
  return r.stdout;
}

export function readState(): LabState | undefined {
  return existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as LabState) : undefined;
}

/** Whether a process still exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Installs what the lab needs on a fresh machine. */
async function ensurePackages(mode: LabMode): Promise<void> {
  const need: string[] = [];
  if (!existsSync('/usr/sbin/sshd')) need.push('openssh-server');
  if (!existsSync('/usr/bin/ssh-keygen')) need.push('openssh-client');
  if (mode === 'boot' && !existsSync('/usr/bin/systemd-nspawn')) need.push('systemd-container');
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip')) need.push('iproute2');
  if (mode === 'boot' && !existsSync('/usr/sbin/iptables')) need.push('iptables');
  if (!need.length) return;
  process.stderr.write(`lab: installing ${need.join(' ')} with apt-get\n`);
  await sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${need.join(' ')} >/dev/null`);
}

/** Every process of ours, found by its command line, so a crashed run's leftovers are found too. */
function labProcesses(): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(`${LAB_DIR}/`) && /systemd-nspawn|unshare/.test(cmd)) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

function isUnshare(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('unshare');
  } catch {
    return false;
  }
}

function labMounts(): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${LAB_DIR}/`))
    .sort((a, b) => b.length - a.length);
}

/** Stops every lab process, unmounts everything, removes the network; harmless when nothing runs. */
export async function labDown(log: (s: string) => void = () => undefined): Promise<void> {
  const state = readState();
  const pids = new Set([...(state?.hosts.map((h) => h.pid) ?? []), ...labProcesses()]);
  // nspawn hosts get SIGTERM, which powers the container off cleanly; light hosts are only sshd.
  for (const pid of pids) if (alive(pid)) process.kill(pid, isUnshare(pid) ? 'SIGKILL' : 'SIGTERM');
  const deadline = Date.now() + 20000;
  while ([...pids].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && [...pids].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  for (const m of labMounts()) await sh(`umount ${m} 2>/dev/null || umount -l ${m}`, false);
  // The bridge belongs to boot mode; a light lab (or one in another TSPLAY_LAB_DIR) leaves it alone.
  const ownsBridge = state ? state.mode === 'boot' : LAB_DIR === DEFAULT_LAB_DIR;
  if (ownsBridge) {
    // The kernel tears a stopped host's veth pair down asynchronously; a new host of the same
    // name fails to start while the old vb-labN exists ("Failed to add new veth interfaces").
    for (let i = 0; i < 50; i++) {
      const left = (await sh(`ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^vb-lab[0-9]+' | cut -d@ -f1`, false))
        .split('\n')
        .filter(Boolean);
      if (!left.length) break;
      for (const v of left) await sh(`ip link del ${v} 2>/dev/null`, false);
      await new Promise((r) => setTimeout(r, 100));
    }
    await sh(`ip link show ${BRIDGE} >/dev/null 2>&1 && ip link del ${BRIDGE}`, false);
    await sh(`while iptables -t nat -D POSTROUTING -s ${SUBNET}.0/24 ! -o ${BRIDGE} -j MASQUERADE 2>/dev/null; do :; done`, false);
    for (const d of cgroupRoots()) await sh(`[ -d ${d}/tsplay-lab ] && find ${d}/tsplay-lab -depth -type d -exec rmdir {} + 2>/dev/null; true`, false);
  }
  if (state?.mountedNspawnRun) await sh(`umount ${NSPAWN_RUN}`, false);
  for (const d of existsSync(LAB_DIR) ? readdirSync(LAB_DIR) : []) if (/^lab\d+$/.test(d)) rmSync(join(LAB_DIR, d), { recursive: true, force: true });
  rmSync(statePath, { force: true });
  if (pids.size || state) log(`lab: stopped ${pids.size} process(es), unmounted and removed the lab network\n`);
}

function prepareRoot(root: string, name: string, pubKey: string, all: { name: string; address: string }[], mode: LabMode, address: string): void {
  writeFileSync(join(root, 'etc/machine-id'), `${[...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16)).join('')}\n`);
  writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
  writeFileSync(join(root, 'etc/hosts'), `127.0.0.1 localhost\n127.0.1.1 ${name}\n${all.map((h) => `${h.address} ${h.name}`).join('\n')}\n`);
  for (const s of MASKED) {
    const p = join(root, 'etc/systemd/system', s);
    rmSync(p, { force: true });
    symlinkSync('/dev/null', p);
  }
  for (const f of readdirSync(join(root, 'etc/ssh'))) if (f.startsWith('ssh_host_')) rmSync(join(root, 'etc/ssh', f));
  // A fresh Debian host has the stock root dotfiles, not this machine's: a .bashrc that runs
  // `pyenv init` costs every SSH command (bash sources it for sshd) about 90 ms here.
  for (const f of ['bashrc', 'profile']) {
    const stock = `/usr/share/base-files/dot.${f}`;
    if (existsSync(stock)) copyFileSync(stock, join(root, `root/.${f}`));
  }
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(root, 'root/.ssh/authorized_keys'), pubKey, { mode: 0o600 });
  mkdirSync(join(root, 'etc/ssh/sshd_config.d'), { recursive: true });
  writeFileSync(
    join(root, 'etc/ssh/sshd_config.d/tsplay-lab.conf'),
    `PermitRootLogin prohibit-password\nUseDNS no\nMaxStartups 200\nMaxSessions 10\n${mode === 'light' ? `ListenAddress ${address}\n` : ''}`,
  );
  if (mode === 'boot') {
    mkdirSync(join(root, 'etc/systemd/network'), { recursive: true });
    writeFileSync(
      join(root, 'etc/systemd/network/10-host0.network'),
      `[Match]\nName=host0\n\n[Network]\nAddress=${address}/24\nGateway=${SUBNET}.1\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
    );
    const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
    mkdirSync(wants, { recursive: true });
    rmSync(join(wants, 'systemd-networkd.service'), { force: true });
    symlinkSync('/lib/systemd/system/systemd-networkd.service', join(wants, 'systemd-networkd.service'));
    rmSync(join(wants, 'ssh.service'), { force: true });
    symlinkSync('/lib/systemd/system/ssh.service', join(wants, 'ssh.service'));
    writeFileSync(join(root, 'etc/systemd/system/tsplay-lab-cgroups.service'), CGROUPS_UNIT);
    mkdirSync(join(root, 'usr/local/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/local/sbin/runc'), RUNC_CLAMP, { mode: 0o755 });
    const sysinit = join(root, 'etc/systemd/system/sysinit.target.wants');
    mkdirSync(sysinit, { recursive: true });
    rmSync(join(sysinit, 'tsplay-lab-cgroups.service'), { force: true });
    symlinkSync('/etc/systemd/system/tsplay-lab-cgroups.service', join(sysinit, 'tsplay-lab-cgroups.service'));
  }
}

/**
 * Every cgroup hierarchy of this machine: each v1 controller (cpu, memory, cpuset...),
 * name=systemd and cgroup2. A boot host gets a subtree of its own in each one, so the
 * cgroup namespace nspawn creates is rooted there and what runc and kubelet create
 * inside a host (kubepods, containers) stays inside that host's subtree.
 */
export function cgroupRoots(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => ({ mountPoint: l.split(' ')[4] ?? '', fsType: l.split(' - ')[1]?.split(' ')[0] ?? '' }))
    .filter((m) => (m.fsType === 'cgroup' || m.fsType === 'cgroup2') && m.mountPoint.startsWith('/sys/fs/cgroup'))
    .map((m) => m.mountPoint);
}

/**
 * Shell that moves itself into a cgroup of its own in every hierarchy before exec'ing
 * nspawn. With --keep-unit, nspawn puts the host's systemd in a `payload` cgroup below
 * its own; started from one cgroup, every host shared that payload, and one host's
 * systemd removed cgroups another's was starting services in (containerd failed with
 * 219/CGROUP). A new cpuset cgroup starts with no CPUs and no memory nodes, and a
 * process cannot join it until they are copied from the parent.
 */
function ownCgroup(name: string): string {
  return cgroupRoots()
    .map((d) => {
      const cpuset = existsSync(`${d}/cpuset.cpus`)
        ? `for c in ${d}/tsplay-lab ${d}/tsplay-lab/${name}; do cat $(dirname $c)/cpuset.cpus > $c/cpuset.cpus; cat $(dirname $c)/cpuset.mems > $c/cpuset.mems; done;`
        : '';
      return `if [ -f ${d}/cgroup.procs ]; then mkdir -p ${d}/tsplay-lab/${name} && ${cpuset} echo $$ > ${d}/tsplay-lab/${name}/cgroup.procs || exit 1; fi;`;
    })
    .join(' ');
}

/**
 * This machine's capability bounding set lacks CAP_SYS_RESOURCE, so no process here may
 * lower its oom_score_adj, and runc fails a container that asks for a negative one
 * (kubelet gives static pods -998): "can't get final child's PID from pipe: EOF".
 * containerd has a setting for that (restrict_oom_score_adj, set in the lab's settings);
 * Docker has none, so in the lab `runc` on PATH (before Debian's /usr/sbin/runc) clamps
 * a negative oomScoreAdj to 0, as restrict_oom_score_adj does, and runs the real runc.
 * Docker also gives a privileged container every capability the kernel knows, where
 * containerd gives those it holds itself; the shim drops CAP_SYS_RESOURCE, the one this
 * machine lacks, or runc fails with "unable to apply caps: operation not permitted".
 */
const RUNC_CLAMP = `#!/bin/sh
# Written by 'tsplay lab up': see lab/lab.ts (RUNC_CLAMP) for why.
b=; prev=
for a in "$@"; do
  case "$prev" in --bundle|-b) b=$a ;; esac
  case "$a" in --bundle=*) b=\${a#--bundle=} ;; esac
  prev=$a
done
[ -n "$b" ] && [ -f "$b/config.json" ] && sed -i -e 's/"oomScoreAdj":-[0-9][0-9]*/"oomScoreAdj":0/' \\
  -e 's/"CAP_SYS_RESOURCE",//g' -e 's/,"CAP_SYS_RESOURCE"//g' -e 's/"CAP_SYS_RESOURCE"//g' "$b/config.json"
exec /usr/sbin/runc "$@"
`;

/**
 * Kernel settings kubelet insists on (it writes them when they differ, and inside a
 * host /proc/sys/vm and /proc/sys/kernel are read-only), and inotify limits that
 * several kubelets and containerds on one kernel exhaust. They are global to the
 * kernel, so they are set on this machine, as kind expects of the machine it runs on.
 */
const MACHINE_SYSCTLS: Record<string, string> = {
  'vm.overcommit_memory': '1',
  'vm.panic_on_oom': '0',
  'kernel.panic': '10',
  'kernel.panic_on_oops': '1',
  'kernel.keys.root_maxkeys': '1000000',
  'kernel.keys.root_maxbytes': '25000000',
  'fs.inotify.max_user_watches': '524288',
  'fs.inotify.max_user_instances': '8192',
};

/**
 * Directories a container runtime and kubelet keep their state in. They are bound from
 * this machine's own file system: overlayfs snapshots cannot sit on the hosts' overlay
 * root, and kubelet's volume mounts want a real file system below them.
 */
const STATE_DIRS = ['/var/lib/containerd', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/etcd'];

/**
 * nspawn mounts the v1 controllers read-only inside a host. Remounted writable before
 * anything starts containers, runc can create cgroups, limited by the cgroup namespace
 * to the host's own subtree.
 */
const CGROUPS_UNIT = `[Unit]
Description=tsplay lab: writable cgroup controllers for container runtimes
DefaultDependencies=no
Before=sysinit.target containerd.service docker.service kubelet.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$$d"; done; true'

[Install]
WantedBy=sysinit.target
`;

async function waitForSsh(h: LabHost, key: string, knownHosts: string, timeoutMs: number, booted: boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive(h.pid)) throw new Error(`lab: ${h.name} stopped while booting (its console follows)`);
    try {
      const c = await connectSsh({
        host: h.name,
        kind: 'ssh',
        address: h.address,
        port: 22,
        user: 'root',
        privateKeyFile: key,
        knownHostsFile: knownHosts,
        connectTimeoutMs: 3000,
      });
      // In boot mode sshd answers before boot has finished; a host still starting units is not ready.
      const r = await c.exec(booted ? 'hostname; systemctl is-system-running --wait >/dev/null 2>&1; true' : 'hostname', { timeoutMs: 60000 });
      await c.close();
      if (r.stdout.trim() === h.name) return;
      last = `hostname is '${r.stdout.trim()}'`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lab: ${h.name} (${h.address}) did not answer over SSH within ${timeoutMs / 1000}s: ${last}`);
}

export interface UpOptions {
  count: number;
  mode: LabMode;
  masters?: number;
  /** How many of the last hosts form the lb group (HAProxy and keepalived) instead of workers. */
  lbs?: number;
  log?: (s: string) => void;
}

/** Boots N fresh hosts, waits until each answers over SSH, writes inventories/lab/hosts.yml. */
export async function labUp(o: UpOptions): Promise<LabState> {
  const log = o.log ?? ((s: string) => process.stderr.write(s));
  if (process.getuid?.() !== 0) throw new Error('lab: needs root (mounts, namespaces and systemd-nspawn)');
  const t0 = Date.now();
  await ensurePackages(o.mode);
  await labDown(log);
  mkdirSync(join(LAB_DIR, 'ssh'), { recursive: true });
  const key = join(LAB_DIR, 'ssh', 'id_ed25519');
  if (!existsSync(key)) await sh(`ssh-keygen -q -t ed25519 -N '' -C tsplay-lab -f ${key}`);
  const pub = readFileSync(`${key}.pub`, 'utf8');
  const knownHosts = join(LAB_DIR, 'ssh', 'known_hosts');
  writeFileSync(knownHosts, '');
  const names = Array.from({ length: o.count }, (_, i) => ({
    name: `lab${i + 1}`,
    address: o.mode === 'boot' ? `${SUBNET}.${10 + i + 1}` : `127.0.1.${i + 1}`,
  }));
  if (o.mode === 'boot' && o.count > 200) throw new Error('lab: boot mode supports up to 200 hosts');
  let mountedNspawnRun = false;
  if (o.mode === 'boot') {
    mkdirSync(NSPAWN_RUN, { recursive: true });
    if (!(await sh(`mountpoint -q ${NSPAWN_RUN} && echo yes`, false)).includes('yes')) {
      await sh(`mount -t tmpfs tmpfs ${NSPAWN_RUN}`);
      mountedNspawnRun = true;
    }
    // The lab's own bridge and subnet, NATed out so apt inside reaches Debian's mirrors. Its MAC
    // is fixed: a bridge otherwise takes its lowest port's MAC, which changes as hosts boot and
    // leaves a host with a stale ARP entry for the gateway, unreachable until it expires.
    await sh(`ip link add ${BRIDGE} address 02:77:00:00:00:01 type bridge && ip addr add ${SUBNET}.1/24 dev ${BRIDGE} && ip link set ${BRIDGE} up`);
    await sh(
      Object.entries(MACHINE_SYSCTLS)
        .map(([k, v]) => `sysctl -qw ${k}=${v}`)
        .join('; '),
    );
    await sh(`echo 1 > /proc/sys/net/ipv4/ip_forward; iptables -t nat -A POSTROUTING -s ${SUBNET}.0/24 ! -o ${BRIDGE} -j MASQUERADE`);
  }
  const hosts: LabHost[] = [];
  await Promise.all(
    names.map(async ({ name, address }) => {
      const dir = join(LAB_DIR, name);
      const root = join(dir, 'root');
      for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d), { recursive: true });
      if (o.mode === 'boot') for (const d of STATE_DIRS) mkdirSync(join(dir, 'state', d), { recursive: true });
      await sh(`mount -t overlay overlay -o lowerdir=/,upperdir=${dir}/upper,workdir=${dir}/work ${root}`);
      prepareRoot(root, name, pub, names, o.mode, address);
      await sh(`ssh-keygen -q -A -f ${root}`);
      for (const t of ['ed25519', 'ecdsa', 'rsa']) {
        const p = join(root, `etc/ssh/ssh_host_${t}_key.pub`);
        if (existsSync(p)) appendFileSync(knownHosts, `${address} ${readFileSync(p, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
      }
      const logFd = openSync(join(dir, 'console.log'), 'w');
      const child =
        o.mode === 'boot'
          ? spawn(
              '/bin/sh',
              [
                '-c',
                `${ownCgroup(name)} exec systemd-nspawn -q -D ${root} --machine=${name} --register=no --keep-unit --link-journal=no --network-bridge=${BRIDGE} --capability=all --system-call-filter=@keyring --bind=/dev/kmsg ${STATE_DIRS.map((d) => `--bind=${dir}/state${d}:${d}`).join(' ')} --boot`,
              ],
              { detached: true, stdio: ['ignore', logFd, logFd], cwd: '/' },
            )
          : spawn(
              'unshare',
              [
                '--mount',
                '--uts',
                '--pid',
                '--fork',
                '--kill-child',
                '/bin/sh',
                '-c',
                `hostname ${name}; mount -t proc proc ${root}/proc; mount --rbind /dev ${root}/dev; mount -t tmpfs tmpfs ${root}/run; mkdir -p ${root}/run/sshd; exec chroot ${root} /usr/sbin/sshd -D -e`,
              ],
              { detached: true, stdio: ['ignore', logFd, logFd], cwd: '/' },
            );
      child.unref();
      hosts.push({ name, address, pid: child.pid!, root });
    }),
  );
  hosts.sort((a, b) => Number(a.name.slice(3)) - Number(b.name.slice(3)));
  const state: LabState = { mode: o.mode, hosts, key, knownHosts, mountedNspawnRun, started: new Date().toISOString() };
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  try {
    await Promise.all(hosts.map((h) => waitForSsh(h, key, knownHosts, o.mode === 'boot' ? 90000 : 30000, o.mode === 'boot')));
  } catch (e) {
    for (const h of hosts)
      log(
        `--- ${h.name} console (last lines)\n${readFileSync(join(LAB_DIR, h.name, 'console.log'), 'utf8')
          .split('\n')
          .slice(-15)
          .join('\n')}\n`,
      );
    throw e;
  }
  writeInventory(state, o.masters ?? 1, o.lbs ?? 0);
  log(`lab: ${hosts.length} ${o.mode} host(s) up and answering over SSH in ${((Date.now() - t0) / 1000).toFixed(1)}s; inventory: inventories/lab/hosts.yml\n`);
  return state;
}

/** The lab as an inventory in the groups the cluster playbooks use: first host(s) masters, the rest workers. */
export function writeInventory(state: LabState, masters: number, lbs = 0): void {
  const dir = process.env.TSPLAY_LAB_INVENTORY_DIR ?? join(PROJECT_ROOT, 'inventories', 'lab');
  mkdirSync(dir, { recursive: true });
  const host = (h: LabHost) => `        ${h.name}:\n          ansible_host: ${h.address}\n`;
  const m = state.hosts.slice(0, masters);
  const w = state.hosts.slice(masters, state.hosts.length - lbs);
  const lb = state.hosts.slice(state.hosts.length - lbs);
  const text =
    `# Written by 'tsplay lab up' (${state.mode} mode, ${state.started}); not tracked by git.\n` +
    `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${state.key}\n    ansible_ssh_known_hosts_file: ${state.knownHosts}\n` +
    `  children:\n    lab:\n      hosts:\n${state.hosts.map((h) => `        ${h.name}: {ansible_host: ${h.address}}\n`).join('')}` +
    `    kube_master:\n      hosts:\n${m.map(host).join('')}` +
    `    kube_node:\n      hosts:\n${w.length ? w.map(host).join('') : '        {}\n'}` +
    `    lb:\n      hosts:\n${lb.length ? lb.map(host).join('') : '        {}\n'}` +
    `    k8s_cluster:\n      children:\n        kube_master:\n        kube_node:\n`;
  mkdirSync(join(dir, 'group_vars'), { recursive: true });
  writeFileSync(join(dir, 'group_vars', 'all.yml'), labSettings(masters, lbs));
  writeFileSync(join(dir, 'hosts.yml'), text.replaceAll('      hosts:\n        {}\n', '      hosts: {}\n'));
  chmodSync(join(dir, 'hosts.yml'), 0o644);
}

/** The VIP keepalived holds in an HA lab: outside the hosts' addresses (.11 up). */
export const LAB_VIP = `${SUBNET}.250`;

/**
 * What differs in the lab from real hosts. The kernel has no ip_vs modules, so
 * kube-proxy runs iptables; nf_conntrack_max is the kernel's own and read-only inside a
 * host, so kube-proxy must leave it alone (as kind configures it); Calico cannot be
 * built here, so the CNI is Flannel; containerd keeps oom_score_adj at or above its own; and an offline bundle, when one has been built,
 * is where Kubernetes comes from.
 */
export function labSettings(masters: number, lbs: number, bundle = defaultBundleDir()): string {
  const lines = [
    "# Written by 'tsplay lab up'. Settings and defaults: inventories/prod/group_vars/all.yml.",
    'vip_interface: host0',
    'cni: flannel',
    'kube_proxy_mode: iptables',
    'kube_proxy_conntrack_max_per_core: 0',
    // This machine's own bounding set lacks CAP_SYS_RESOURCE, so no process here may lower
    // oom_score_adj; runc would fail every pod that kubelet gives a negative one.
    'containerd_restrict_oom_score_adj: true',
  ];
  if (existsSync(join(bundle, 'manifest.json'))) lines.push(`offline_bundle: ${bundle}`);
  if (masters > 1 && lbs > 0) lines.push(`vip: ${LAB_VIP}`, `control_plane_endpoint: "${LAB_VIP}:6443"`);
  return `${lines.join('\n')}\n`;
}

export async function labStatus(): Promise<string> {
  const s = readState();
  if (!s) return 'lab: not running\n';
  const lines = [`lab: ${s.hosts.length} ${s.mode} host(s), started ${s.started}`];
  for (const h of s.hosts) lines.push(`  ${h.name.padEnd(8)} ${h.address.padEnd(14)} pid ${h.pid} ${alive(h.pid) ? 'running' : 'STOPPED'}`);
  return `${lines.join('\n')}\n`;
}
