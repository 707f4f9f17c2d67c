import { run } from './lib/remote.js';
import { defineAction, type ModuleResult } from './types.js';

/**
 * Everything in one remote shell script (one round trip), printed as key=value
 * lines and decided on the controller. Remote: POSIX sh, coreutils, iproute2
 * (ip) for addresses; /etc/os-release for the distribution.
 */
const SCRIPT = `
echo "hostname=$(hostname -s 2>/dev/null || cat /proc/sys/kernel/hostname)"
echo "fqdn=$(hostname -f 2>/dev/null || hostname)"
echo "kernel=$(uname -r)"
echo "arch=$(uname -m)"
echo "system=$(uname -s)"
if [ -r /etc/os-release ]; then . /etc/os-release; echo "os_id=$ID"; echo "os_like=$ID_LIKE"; echo "os_version=$VERSION_ID"; echo "os_codename=$VERSION_CODENAME"; echo "os_name=$NAME"; fi
[ -r /etc/debian_version ] && echo "debian_version=$(cat /etc/debian_version)"
awk '/^MemTotal:/{print "memtotal_kb="$2} /^SwapTotal:/{print "swaptotal_kb="$2} /^MemFree:/{print "memfree_kb="$2}' /proc/meminfo 2>/dev/null
echo "nproc=$(nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo)"
echo "init=$(cat /proc/1/comm 2>/dev/null)"
[ -d /run/systemd/system ] && echo "systemd_running=1"
for p in apt-get dnf yum zypper apk pacman; do command -v $p >/dev/null 2>&1 && { echo "pkg_mgr=$p"; break; }; done
if command -v ip >/dev/null 2>&1; then
  ip -4 route show default 2>/dev/null | awk '{for(i=1;i<=NF;i++){if($i=="dev")print "default_dev="$(i+1); if($i=="via") print "default_gw="$(i+1)}; exit}'
  ip -4 -o addr show 2>/dev/null | awk '{split($4,a,"/"); print "addr="$2","a[1]","a[2]}'
else
  echo "addr=lo,$(hostname -i 2>/dev/null | awk '{print $1}'),8"
fi
echo "user=$(id -un)"
echo "uid=$(id -u)"
echo "home=$HOME"
echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "python=$(command -v python3 2>/dev/null)"
`;

const FAMILY: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Debian',
  linuxmint: 'Debian',
  raspbian: 'Debian',
  rhel: 'RedHat',
  centos: 'RedHat',
  rocky: 'RedHat',
  almalinux: 'RedHat',
  fedora: 'RedHat',
  ol: 'RedHat',
  amzn: 'RedHat',
  sles: 'Suse',
  opensuse: 'Suse',
  'opensuse-leap': 'Suse',
  alpine: 'Alpine',
  arch: 'Archlinux',
};
const DIST: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  centos: 'CentOS',
  rocky: 'Rocky',
  rhel: 'RedHat',
  almalinux: 'AlmaLinux',
  fedora: 'Fedora',
  alpine: 'Alpine',
};

export function parseFacts(out: string): Record<string, unknown> {
  const kv = new Map<string, string>();
  const addrs: { iface: string; address: string; prefix: number }[] = [];
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i < 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    if (k === 'addr') {
      const [iface, address, prefix] = v.split(',');
      if (address) addrs.push({ iface: iface!, address, prefix: Number(prefix) });
    } else kv.set(k, v);
  }
  const id = kv.get('os_id') ?? '';
  const family = FAMILY[id] ?? FAMILY[(kv.get('os_like') ?? '').split(' ')[0] ?? ''] ?? kv.get('system') ?? 'Linux';
  const version =
    id === 'debian' && kv.get('debian_version') && /^\d/.test(kv.get('debian_version')!) ? kv.get('debian_version')! : (kv.get('os_version') ?? '');
  const defDev = kv.get('default_dev');
  const def = addrs.find((a) => a.iface === defDev) ?? addrs.find((a) => a.iface !== 'lo') ?? addrs[0];
  const mgr = kv.get('pkg_mgr');
  const facts: Record<string, unknown> = {
    ansible_hostname: kv.get('hostname'),
    ansible_nodename: kv.get('hostname'),
    ansible_fqdn: kv.get('fqdn'),
    ansible_kernel: kv.get('kernel'),
    ansible_architecture: kv.get('arch'),
    ansible_machine: kv.get('arch'),
    ansible_system: kv.get('system'),
    ansible_os_family: family,
    ansible_distribution: DIST[id] ?? (kv.get('os_name') ?? '').split(' ')[0],
    ansible_distribution_version: version,
    ansible_distribution_major_version: version.split('.')[0] ?? '',
    ansible_distribution_release: kv.get('os_codename') ?? '',
    ansible_memtotal_mb: Math.floor(Number(kv.get('memtotal_kb') ?? 0) / 1024),
    ansible_memfree_mb: Math.floor(Number(kv.get('memfree_kb') ?? 0) / 1024),
    ansible_swaptotal_mb: Math.floor(Number(kv.get('swaptotal_kb') ?? 0) / 1024),
    ansible_processor_vcpus: Number(kv.get('nproc') ?? 1),
    ansible_processor_nproc: Number(kv.get('nproc') ?? 1),
    ansible_service_mgr: kv.get('systemd_running') ? 'systemd' : kv.get('init') || 'unknown',
    ansible_pkg_mgr: mgr === 'apt-get' ? 'apt' : (mgr ?? 'unknown'),
    ansible_default_ipv4: def ? { address: def.address, interface: def.iface, prefix: String(def.prefix), gateway: kv.get('default_gw') ?? '' } : {},
    ansible_all_ipv4_addresses: addrs.filter((a) => a.iface !== 'lo').map((a) => a.address),
    ansible_interfaces: [...new Set(addrs.map((a) => a.iface))],
    ansible_user_id: kv.get('user'),
    ansible_user_uid: Number(kv.get('uid')),
    ansible_user_dir: kv.get('home'),
    ansible_date_time: { iso8601: kv.get('date') },
    ansible_python: { executable: kv.get('python') ?? '' },
  };
  return facts;
}

export const module = defineAction<{ gather_subset?: string[]; filter?: string[] }>({
  kind: 'action',
  name: 'setup',
  aliases: ['gather_facts'],
  description: 'Gathers facts in one round trip. Remote: POSIX sh, coreutils, /proc; ip from iproute2 for addresses.',
  args: { gather_subset: { type: 'list', elements: 'str' }, filter: { type: 'list', elements: 'str' } },
  check: 'run',
  async run(args, ctx): Promise<ModuleResult> {
    const r = await run(ctx, SCRIPT);
    if (r.rc !== 0 && !r.stdout) return { failed: true, msg: `fact gathering failed: ${r.stderr.trim()}` };
    let facts = parseFacts(r.stdout);
    if (args.filter?.length) {
      const pats = args.filter.map((f) => new RegExp(`^${f.replace(/\*/g, '.*')}$`));
      facts = Object.fromEntries(Object.entries(facts).filter(([k]) => pats.some((p) => p.test(k))));
    }
    return { ansible_facts: facts, changed: false };
  },
});
