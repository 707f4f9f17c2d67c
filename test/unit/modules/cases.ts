/**
 * Cases for the decisions of the operation modules: each sets up a state with
 * `setup` (shell, in /tmp/tsplay-probe), gives the module's arguments, and says
 * by hand what the plan must be. `record-probes.ts` runs each module's real probe
 * command against that state and stores its output in test/fixtures/probes/, so
 * the decision tests need no host.
 */
export interface ProbeCase {
  module: string;
  name: string;
  setup: string;
  /** Where the probe is recorded: this machine, or a lab host (systemd, apt, users: a real Debian host's state). */
  on?: 'local' | 'lab';
  args: Record<string, unknown>;
  /** What the module's prepare step would have given (copy's content, unarchive's archive path). */
  prep?: () => unknown;
  expect: { action: 'none' | 'create' | 'modify' | 'remove' | 'fail'; changes?: string[]; content?: string; msg?: RegExp | string };
}

export const DIR = '/tmp/tsplay-probe';

export const CASES: ProbeCase[] = [
  // lineinfile
  { module: 'lineinfile', name: 'a missing line is appended', setup: `printf 'a=1\\n' > ${DIR}/f`, args: { path: `${DIR}/f`, line: 'b=2' }, expect: { action: 'modify', content: 'a=1\nb=2\n' } },
  { module: 'lineinfile', name: 'a present line changes nothing', setup: `printf 'a=1\\nb=2\\n' > ${DIR}/f`, args: { path: `${DIR}/f`, line: 'b=2' }, expect: { action: 'none' } },
  { module: 'lineinfile', name: 'regexp replaces the matching line', setup: `printf 'SELINUX=enforcing\\nX=1\\n' > ${DIR}/f`, args: { path: `${DIR}/f`, regexp: '^SELINUX=', line: 'SELINUX=disabled' }, expect: { action: 'modify', content: 'SELINUX=disabled\nX=1\n' } },
  { module: 'lineinfile', name: 'a missing file without create fails', setup: 'true', args: { path: `${DIR}/nope`, line: 'x' }, expect: { action: 'fail', msg: /does not exist/ } },
  { module: 'lineinfile', name: 'create makes the file', setup: 'true', args: { path: `${DIR}/new`, line: 'x', create: true }, expect: { action: 'create', content: 'x\n' } },
  { module: 'lineinfile', name: 'only the mode differs', setup: `printf 'x\\n' > ${DIR}/f; chmod 0644 ${DIR}/f`, args: { path: `${DIR}/f`, line: 'x', mode: '0600' }, expect: { action: 'modify', changes: ['mode 0644 -> 0600'] } },
  { module: 'lineinfile', name: 'a directory is not a file', setup: `mkdir -p ${DIR}/d`, args: { path: `${DIR}/d`, line: 'x' }, expect: { action: 'fail', msg: /is a directory/ } },
  // blockinfile
  { module: 'blockinfile', name: 'a block is added between markers', setup: `printf 'top\\n' > ${DIR}/f`, args: { path: `${DIR}/f`, block: 'a\nb' }, expect: { action: 'modify', content: 'top\n# BEGIN ANSIBLE MANAGED BLOCK\na\nb\n# END ANSIBLE MANAGED BLOCK\n' } },
  { module: 'blockinfile', name: 'the same block changes nothing', setup: `printf 'top\\n# BEGIN ANSIBLE MANAGED BLOCK\\na\\n# END ANSIBLE MANAGED BLOCK\\n' > ${DIR}/f`, args: { path: `${DIR}/f`, block: 'a' }, expect: { action: 'none' } },
  { module: 'blockinfile', name: 'state=absent removes the block', setup: `printf 'top\\n# BEGIN ANSIBLE MANAGED BLOCK\\na\\n# END ANSIBLE MANAGED BLOCK\\n' > ${DIR}/f`, args: { path: `${DIR}/f`, state: 'absent' }, expect: { action: 'modify', content: 'top\n' } },
  // replace
  { module: 'replace', name: 'the swap line of fstab is commented out', setup: `printf 'UUID=1 / ext4 defaults 0 1\\n/swap.img none swap sw 0 0\\n' > ${DIR}/fstab`, args: { path: `${DIR}/fstab`, regexp: '^([^#].*\\sswap\\s.*)$', replace: '# \\1' }, expect: { action: 'modify', content: 'UUID=1 / ext4 defaults 0 1\n# /swap.img none swap sw 0 0\n', msg: '1 replacements made' } },
  { module: 'replace', name: 'no match changes nothing', setup: `printf 'UUID=1 / ext4 defaults 0 1\\n' > ${DIR}/fstab`, args: { path: `${DIR}/fstab`, regexp: '^([^#].*\\sswap\\s.*)$', replace: '# \\1' }, expect: { action: 'none' } },
  { module: 'replace', name: 'a missing file fails', setup: 'true', args: { path: `${DIR}/none`, regexp: 'a', replace: 'b' }, expect: { action: 'fail', msg: /does not exist/ } },
  // sysctl: the running value is this machine's, recorded with the file
  { module: 'sysctl', name: 'a new key goes into the file (running value left alone with reload=false)', setup: `printf '# k8s\\n' > ${DIR}/k8s.conf`, args: { name: 'net.ipv4.ip_forward', value: '1', sysctl_file: `${DIR}/k8s.conf`, reload: false }, expect: { action: 'modify', content: '# k8s\nnet.ipv4.ip_forward=1\n' } },
  { module: 'sysctl', name: 'the same key and value change nothing in the file', setup: `printf 'net.ipv4.ip_forward = 1\\n' > ${DIR}/k8s.conf`, args: { name: 'net.ipv4.ip_forward', value: '1', sysctl_file: `${DIR}/k8s.conf`, reload: false }, expect: { action: 'none' } },
  { module: 'sysctl', name: 'a running value that differs is set too', setup: `printf 'net.ipv4.tcp_syncookies=7\\n' > ${DIR}/k8s.conf`, args: { name: 'net.ipv4.tcp_syncookies', value: '7', sysctl_file: `${DIR}/k8s.conf` }, expect: { action: 'modify', changes: [/^running net.ipv4.tcp_syncookies: \d -> 7$/.source] } },
  { module: 'sysctl', name: 'a key the kernel does not have fails', setup: `: > ${DIR}/k8s.conf`, args: { name: 'net.bridge.no-such-key', value: '1', sysctl_file: `${DIR}/k8s.conf` }, expect: { action: 'fail', msg: /cannot be read on this host/ } },
  { module: 'sysctl', name: 'state=absent drops the key', setup: `printf 'a=1\\nvm.swappiness=10\\n' > ${DIR}/k8s.conf`, args: { name: 'vm.swappiness', state: 'absent', sysctl_file: `${DIR}/k8s.conf` }, expect: { action: 'modify', content: 'a=1\n' } },
  // copy and template share the content decisions
  { module: 'copy', name: 'a new file is created', setup: 'true', args: { dest: `${DIR}/new.conf`, content: 'x' }, prep: () => ({ content: Buffer.from('x\n') }), expect: { action: 'create', content: 'x\n' } },
  { module: 'copy', name: 'the same content changes nothing', setup: `printf 'x\\n' > ${DIR}/same.conf`, args: { dest: `${DIR}/same.conf`, content: 'x' }, prep: () => ({ content: Buffer.from('x\n') }), expect: { action: 'none' } },
  { module: 'copy', name: 'different content is rewritten', setup: `printf 'old\\n' > ${DIR}/c.conf`, args: { dest: `${DIR}/c.conf`, content: 'x' }, prep: () => ({ content: Buffer.from('new\n') }), expect: { action: 'modify', content: 'new\n' } },
  { module: 'copy', name: 'force=false keeps a file that exists', setup: `printf 'old\\n' > ${DIR}/c.conf`, args: { dest: `${DIR}/c.conf`, content: 'x', force: false }, prep: () => ({ content: Buffer.from('new\n') }), expect: { action: 'none' } },
  { module: 'copy', name: 'a directory dest takes the source name inside it', setup: `mkdir -p ${DIR}/etc; printf 'same\\n' > ${DIR}/etc/a.conf`, args: { dest: `${DIR}/etc`, src: 'a.conf' }, prep: () => ({ content: Buffer.from('same\n'), name: 'a.conf' }), expect: { action: 'none' } },
  { module: 'copy', name: 'a directory dest without a source name fails', setup: `mkdir -p ${DIR}/etc`, args: { dest: `${DIR}/etc`, content: 'x' }, prep: () => ({ content: Buffer.from('x') }), expect: { action: 'fail', msg: /is a directory/ } },
  { module: 'template', name: 'only the owner differs', setup: `printf 'r\\n' > ${DIR}/t.conf; chown 0:0 ${DIR}/t.conf`, args: { dest: `${DIR}/t.conf`, src: 't.conf.j2', owner: 'nobody' }, prep: () => ({ content: Buffer.from('r\n'), name: 't.conf' }), expect: { action: 'modify', changes: ['owner'] } },

  // apt_key (data given: the content is prepared on the controller)
  { module: 'apt_key', name: 'a new keyring is written', setup: 'true', args: { data: 'k', keyring: `${DIR}/k.gpg` }, prep: () => ({ content: Buffer.from('key') }), expect: { action: 'create', content: 'key' } },
  { module: 'apt_key', name: 'the same keyring changes nothing', setup: `printf key > ${DIR}/k.gpg; chmod 0644 ${DIR}/k.gpg`, args: { data: 'k', keyring: `${DIR}/k.gpg` }, prep: () => ({ content: Buffer.from('key') }), expect: { action: 'none' } },
  { module: 'apt_key', name: 'state=absent removes the keyring', setup: `printf key > ${DIR}/k.gpg`, args: { keyring: `${DIR}/k.gpg`, state: 'absent' }, expect: { action: 'remove' } },
  // file
  { module: 'file', name: 'a missing directory is created', setup: 'true', args: { path: `${DIR}/d/e`, state: 'directory' }, expect: { action: 'create', changes: [`mkdir -p ${DIR}/d/e`] } },
  { module: 'file', name: 'an existing directory with its mode changes nothing', setup: `mkdir -p ${DIR}/d; chmod 0755 ${DIR}/d`, args: { path: `${DIR}/d`, state: 'directory', mode: '0755' }, expect: { action: 'none' } },
  { module: 'file', name: 'recurse sees a file below with another mode', setup: `mkdir -p ${DIR}/d; chmod 0755 ${DIR}/d; touch ${DIR}/d/f; chmod 0600 ${DIR}/d/f`, args: { path: `${DIR}/d`, state: 'directory', mode: '0755', recurse: true }, expect: { action: 'modify', changes: [`chmod -R 0755 ${DIR}/d`] } },
  { module: 'file', name: 'a link to the right target changes nothing', setup: `ln -s /etc/hostname ${DIR}/l`, args: { path: `${DIR}/l`, state: 'link', src: '/etc/hostname' }, expect: { action: 'none' } },
  { module: 'file', name: 'a file where a link goes is refused without force', setup: `touch ${DIR}/l`, args: { path: `${DIR}/l`, state: 'link', src: '/etc/hostname' }, expect: { action: 'fail', msg: /refusing to replace/ } },
  { module: 'file', name: 'a hard link already in place changes nothing', setup: `touch ${DIR}/a; ln ${DIR}/a ${DIR}/b`, args: { path: `${DIR}/b`, state: 'hard', src: `${DIR}/a` }, expect: { action: 'none' } },
  { module: 'file', name: 'state=absent removes what is there', setup: `mkdir -p ${DIR}/gone/x`, args: { path: `${DIR}/gone`, state: 'absent' }, expect: { action: 'remove', changes: [`rm -rf ${DIR}/gone`] } },
  { module: 'file', name: 'state=file on a missing path fails', setup: 'true', args: { path: `${DIR}/none`, state: 'file' }, expect: { action: 'fail', msg: /is absent, cannot continue/ } },
  // get_url: only the destination is probed; the download is the change
  { module: 'get_url', name: 'a missing dest is downloaded', setup: 'true', args: { url: 'http://10.77.0.1:9/x', dest: `${DIR}/x` }, expect: { action: 'create', changes: ['download http://10.77.0.1:9/x'] } },
  { module: 'get_url', name: 'a dest with the right checksum is left alone', setup: `printf abc > ${DIR}/x`, args: { url: 'http://10.77.0.1:9/x', dest: `${DIR}/x`, checksum: 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }, expect: { action: 'none' } },
  { module: 'get_url', name: 'a dest with a wrong checksum is downloaded again', setup: `printf abd > ${DIR}/x`, args: { url: 'http://10.77.0.1:9/x', dest: `${DIR}/x`, checksum: 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' }, expect: { action: 'modify', changes: ['download http://10.77.0.1:9/x'] } },
  { module: 'get_url', name: 'an existing dest without a checksum is kept (force=false)', setup: `printf old > ${DIR}/x`, args: { url: 'http://10.77.0.1:9/x', dest: `${DIR}/x` }, expect: { action: 'none' } },
  // unarchive: the archive already on the host (remote_src), listed against dest
  { module: 'unarchive', name: 'an archive not yet unpacked', setup: `mkdir -p ${DIR}/src ${DIR}/dest; printf 1 > ${DIR}/src/a; tar -czf ${DIR}/a.tgz -C ${DIR}/src a`, args: { src: `${DIR}/a.tgz`, dest: `${DIR}/dest`, remote_src: true }, prep: () => ({ archive: `${DIR}/a.tgz`, uploaded: false }), expect: { action: 'modify', changes: ['DIFF a'] } },
  { module: 'unarchive', name: 'an archive already unpacked changes nothing', setup: `mkdir -p ${DIR}/src ${DIR}/dest; printf 1 > ${DIR}/src/a; tar -czf ${DIR}/a.tgz -C ${DIR}/src a; cp ${DIR}/src/a ${DIR}/dest/a`, args: { src: `${DIR}/a.tgz`, dest: `${DIR}/dest`, remote_src: true }, prep: () => ({ archive: `${DIR}/a.tgz`, uploaded: false }), expect: { action: 'none' } },
  { module: 'unarchive', name: 'creates that exists skips it', setup: `touch ${DIR}/done`, args: { src: `${DIR}/a.tgz`, dest: `${DIR}/dest`, remote_src: true, creates: `${DIR}/done` }, prep: () => ({ archive: `${DIR}/a.tgz`, uploaded: false }), expect: { action: 'none', msg: /skipped, since/ } },
  { module: 'unarchive', name: 'a missing dest directory fails', setup: 'true', args: { src: `${DIR}/a.tgz`, dest: `${DIR}/nodest`, remote_src: true }, prep: () => ({ archive: `${DIR}/a.tgz`, uploaded: false }), expect: { action: 'fail', msg: /does not exist/ } },
  // mount: a scratch fstab; the live state is the lab host's
  { module: 'mount', name: 'swap lines are commented out', on: 'lab', setup: `printf 'UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n' > ${DIR}/fstab`, args: { path: 'none', fstype: 'swap', state: 'commented', fstab: `${DIR}/fstab` }, expect: { action: 'modify', content: 'UUID=1 / ext4 defaults 0 1\n# /swap.img none swap sw 0 0\n' } },
  { module: 'mount', name: 'commented swap lines change nothing (no swap is on)', on: 'lab', setup: `printf '# /swap.img none swap sw 0 0\n' > ${DIR}/fstab`, args: { path: 'none', fstype: 'swap', state: 'commented', fstab: `${DIR}/fstab` }, expect: { action: 'none' } },
  { module: 'mount', name: 'a new entry for a path not mounted', on: 'lab', setup: `: > ${DIR}/fstab`, args: { path: `${DIR}/mnt`, src: 'tmpfs', fstype: 'tmpfs', state: 'mounted', fstab: `${DIR}/fstab` }, expect: { action: 'modify', changes: [`${DIR}/fstab: content`, `mkdir -p ${DIR}/mnt && mount ${DIR}/mnt`] } },
  // recorded on a lab host: a real Debian with systemd, apt and users
  { module: 'hostname', name: 'the same hostname changes nothing', on: 'lab', setup: 'true', args: { name: 'lab1' }, expect: { action: 'none' } },
  { module: 'hostname', name: 'another hostname is set', on: 'lab', setup: 'true', args: { name: 'node-a' }, expect: { action: 'modify', changes: ['hostname lab1 -> node-a', '/etc/hostname lab1 -> node-a'] } },
  { module: 'timezone', name: 'an unknown zone fails', on: 'lab', setup: 'true', args: { name: 'Mars/Olympus' }, expect: { action: 'fail', msg: /unknown time zone/ } },
  { module: 'timezone', name: 'the zone in place changes nothing', on: 'lab', setup: 'ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime; [ ! -e /etc/timezone ] || echo Etc/UTC > /etc/timezone', args: { name: 'Etc/UTC' }, expect: { action: 'none' } },
  { module: 'timezone', name: 'another zone is linked', on: 'lab', setup: 'ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime; [ ! -e /etc/timezone ] || echo Etc/UTC > /etc/timezone', args: { name: 'Asia/Shanghai' }, expect: { action: 'modify', changes: ['Etc/UTC -> Asia/Shanghai'] } },
  { module: 'modprobe', name: 'a built-in or loaded module with persistence written changes nothing', on: 'lab', setup: 'echo overlay > /etc/modules-load.d/overlay.conf', args: { name: 'overlay', persistent: 'present' }, expect: { action: 'none' } },
  { module: 'modprobe', name: 'persistence is written for a present module', on: 'lab', setup: 'rm -f /etc/modules-load.d/overlay.conf', args: { name: 'overlay', persistent: 'present' }, expect: { action: 'modify', changes: ['mkdir -p /etc/modules-load.d && echo overlay > /etc/modules-load.d/overlay.conf'] } },
  { module: 'modprobe', name: 'a module the kernel does not have fails', on: 'lab', setup: 'true', args: { name: 'no_such_module_x' }, expect: { action: 'fail', msg: /not found in directory|not installed/ } },
  { module: 'group', name: 'a missing group is created', on: 'lab', setup: 'groupdel tsplayfx 2>/dev/null; true', args: { name: 'tsplayfx', gid: 4321 }, expect: { action: 'create', changes: ['groupadd -g 4321 tsplayfx'] } },
  { module: 'group', name: 'an existing group with another gid is changed', on: 'lab', setup: 'groupdel tsplayfx 2>/dev/null; groupadd -g 4322 tsplayfx', args: { name: 'tsplayfx', gid: 4321 }, expect: { action: 'modify', changes: ['groupmod -g 4321 tsplayfx'] } },
  { module: 'group', name: 'an absent group stays absent', on: 'lab', setup: 'groupdel tsplayfx 2>/dev/null; true', args: { name: 'tsplayfx', state: 'absent' }, expect: { action: 'none' } },
  { module: 'user', name: 'a missing user is created', on: 'lab', setup: 'userdel tsplayu 2>/dev/null; true', args: { name: 'tsplayu', shell: '/bin/sh' }, expect: { action: 'create', changes: ['useradd -s /bin/sh -m tsplayu'] } },
  { module: 'user', name: 'a user with another shell is changed', on: 'lab', setup: 'userdel tsplayu 2>/dev/null; useradd -M -s /bin/bash tsplayu', args: { name: 'tsplayu', shell: '/bin/sh' }, expect: { action: 'modify', changes: ['usermod -s /bin/sh tsplayu'] } },
  { module: 'user', name: 'the same password hash changes nothing', on: 'lab', setup: "userdel tsplayu 2>/dev/null; useradd -M -p '$6$x$y' tsplayu", args: { name: 'tsplayu', password: '$6$x$y' }, expect: { action: 'none' } },
  { module: 'dpkg_selections', name: 'an installed package is put on hold', on: 'lab', setup: 'echo "openssh-server install" | dpkg --set-selections', args: { name: 'openssh-server', selection: 'hold' }, expect: { action: 'modify', changes: ['install -> hold'] } },
  { module: 'dpkg_selections', name: 'a held package stays held', on: 'lab', setup: 'echo "openssh-server hold" | dpkg --set-selections', args: { name: 'openssh-server', selection: 'hold' }, expect: { action: 'none' } },
  { module: 'ufw', name: 'no ufw is already disabled', on: 'lab', setup: 'true', args: { state: 'disabled' }, expect: { action: 'none', msg: 'ufw is not installed' } },
  { module: 'ufw', name: 'no ufw cannot be enabled', on: 'lab', setup: 'true', args: { state: 'enabled' }, expect: { action: 'fail', msg: /not installed/ } },
  { module: 'firewalld', name: 'no firewalld is already disabled', on: 'lab', setup: 'true', args: { state: 'disabled' }, expect: { action: 'none' } },
  { module: 'selinux', name: 'no SELinux is already permissive', on: 'lab', setup: 'true', args: { state: 'permissive' }, expect: { action: 'none', msg: /not installed/ } },
  { module: 'selinux', name: 'no SELinux cannot enforce', on: 'lab', setup: 'true', args: { state: 'enforcing' }, expect: { action: 'fail' } },
  { module: 'selinux', name: 'a config file gets the mode even where SELinux does not run', on: 'lab', setup: `printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' > ${DIR}/selinux`, args: { state: 'permissive', configfile: `${DIR}/selinux` }, expect: { action: 'modify', content: 'SELINUX=permissive\nSELINUXTYPE=targeted\n' } },
  { module: 'systemd', name: 'a running enabled unit changes nothing', on: 'lab', setup: 'true', args: { name: 'ssh', state: 'started', enabled: true }, expect: { action: 'none' } },
  { module: 'systemd', name: 'a running unit is stopped and disabled', on: 'lab', setup: 'true', args: { name: 'ssh', state: 'stopped', enabled: false }, expect: { action: 'modify', changes: ['systemctl disable ssh', 'systemctl stop ssh'] } },
  { module: 'systemd', name: 'a unit that is not installed fails', on: 'lab', setup: 'true', args: { name: 'no-such-unit', state: 'started' }, expect: { action: 'fail', msg: /Could not find the requested service/ } },
  { module: 'systemd', name: 'restarted always restarts', on: 'lab', setup: 'true', args: { name: 'ssh', state: 'restarted' }, expect: { action: 'modify', changes: ['systemctl restart ssh'] } },
  { module: 'service', name: 'service decides as systemd where systemd runs', on: 'lab', setup: 'true', args: { name: 'ssh', state: 'started' }, expect: { action: 'none' } },
  { module: 'service', name: 'service stops a running unit', on: 'lab', setup: 'true', args: { name: 'ssh', state: 'stopped' }, expect: { action: 'modify', changes: ['systemctl stop ssh'] } },
  { module: 'cron', name: 'a cron.d entry is written', on: 'lab', setup: 'true', args: { name: 'backup', job: '/bin/true', minute: '5', cron_file: `${DIR}/tsplay-backup` }, expect: { action: 'create', content: '#Ansible: backup\n5 * * * * root /bin/true\n' } },
  { module: 'cron', name: 'the same cron.d entry changes nothing', on: 'lab', setup: `printf '#Ansible: backup\n5 * * * * root /bin/true\n' > ${DIR}/tsplay-backup; chmod 0644 ${DIR}/tsplay-backup`, args: { name: 'backup', job: '/bin/true', minute: '5', cron_file: `${DIR}/tsplay-backup` }, expect: { action: 'none' } },
  { module: 'apt_repository', name: 'a source line is added', on: 'lab', setup: 'rm -f /etc/apt/sources.list.d/tsplay-fx.list', args: { repo: 'deb [signed-by=/etc/apt/keyrings/k.gpg] http://10.77.0.1:9/k8s/ /', filename: 'tsplay-fx' }, expect: { action: 'create', content: 'deb [signed-by=/etc/apt/keyrings/k.gpg] http://10.77.0.1:9/k8s/ /\n' } },
  { module: 'apt_repository', name: 'a present source line changes nothing', on: 'lab', setup: "echo 'deb [signed-by=/etc/apt/keyrings/k.gpg] http://10.77.0.1:9/k8s/ /' > /etc/apt/sources.list.d/tsplay-fx.list; chmod 0644 /etc/apt/sources.list.d/tsplay-fx.list", args: { repo: 'deb [signed-by=/etc/apt/keyrings/k.gpg] http://10.77.0.1:9/k8s/ /', filename: 'tsplay-fx' }, expect: { action: 'none' } },
  { module: 'apt', name: 'an installed package changes nothing', on: 'lab', setup: 'echo "openssh-server install" | dpkg --set-selections', args: { name: ['openssh-server'] }, prep: () => ({}), expect: { action: 'none' } },
  { module: 'apt', name: 'a held package counts as installed (kubelet after dpkg_selections hold)', on: 'lab', setup: 'echo "openssh-server hold" | dpkg --set-selections', args: { name: ['openssh-server'] }, prep: () => ({}), expect: { action: 'none' } },
  { module: 'apt', name: 'a package not installed is installed', on: 'lab', setup: 'true', args: { name: ['haproxy'] }, prep: () => ({}), expect: { action: 'modify', changes: ['install haproxy'] } },
  { module: 'apt', name: 'a pinned version that differs is installed', on: 'lab', setup: 'true', args: { name: ['openssh-server=1:0.0-tsplay'] }, prep: () => ({}), expect: { action: 'modify', changes: ['install openssh-server=1:0.0-tsplay'] } },
  { module: 'apt', name: 'an absent package stays absent', on: 'lab', setup: 'true', args: { name: ['haproxy'], state: 'absent' }, prep: () => ({}), expect: { action: 'none' } },
  { module: 'package', name: 'package picks apt on Debian', on: 'lab', setup: 'true', args: { name: ['haproxy'] }, prep: () => 'apt', expect: { action: 'modify', changes: ['install haproxy'] } },
  { module: 'dnf', name: 'dnf on a Debian host fails clearly', on: 'lab', setup: 'true', args: { name: ['haproxy'] }, expect: { action: 'fail', msg: /not in the RHEL family/ } },
  { module: 'yum', name: 'yum on a Debian host fails clearly', on: 'lab', setup: 'true', args: { name: ['haproxy'] }, expect: { action: 'fail', msg: /not in the RHEL family/ } },
  { module: 'yum_repository', name: 'a repository file is written', setup: 'true', args: { name: 'kubernetes', baseurl: 'https://pkgs.k8s.io/core:/stable:/v1.34/rpm/', gpgcheck: true, reposdir: DIR }, expect: { action: 'create', content: '[kubernetes]\nname = kubernetes\nbaseurl = https://pkgs.k8s.io/core:/stable:/v1.34/rpm/\nenabled = 1\ngpgcheck = 1\n' } },
  { module: 'yum_repository', name: 'the same section changes nothing', setup: `printf '[kubernetes]\\nname = kubernetes\\nbaseurl = https://pkgs.k8s.io/core:/stable:/v1.34/rpm/\\nenabled = 1\\ngpgcheck = 1\\n' > ${DIR}/kubernetes.repo; chmod 0644 ${DIR}/kubernetes.repo`, args: { name: 'kubernetes', baseurl: 'https://pkgs.k8s.io/core:/stable:/v1.34/rpm/', gpgcheck: true, reposdir: DIR }, expect: { action: 'none' } },
  // fetch: the controller's copy is read by prepare, the host's file by the probe
  { module: 'fetch', name: 'a new file comes to the controller', setup: `printf 'conf\\n' > ${DIR}/admin.conf`, args: { src: `${DIR}/admin.conf`, dest: '/tmp/out', flat: true }, prep: () => ({ dest: '/tmp/out' }), expect: { action: 'create', content: 'conf\n' } },
  { module: 'fetch', name: 'the same file changes nothing', setup: `printf 'conf\\n' > ${DIR}/admin.conf`, args: { src: `${DIR}/admin.conf`, dest: '/tmp/out', flat: true }, prep: () => ({ dest: '/tmp/out', before: Buffer.from('conf\n') }), expect: { action: 'none' } },
  { module: 'fetch', name: 'a missing remote file fails', setup: 'true', args: { src: `${DIR}/none`, dest: '/tmp/out' }, prep: () => ({ dest: '/tmp/out' }), expect: { action: 'fail', msg: /does not exist/ } },
  { module: 'fetch', name: 'a missing remote file is ok with fail_on_missing=false', setup: 'true', args: { src: `${DIR}/none`, dest: '/tmp/out', fail_on_missing: false }, prep: () => ({ dest: '/tmp/out' }), expect: { action: 'none', msg: /not transferring/ } },
];
