import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { LabState } from '../../lab/lab.js';
import { FIXTURES, tsplay } from '../helpers.js';
import { freshLab, inHost, labInventory } from '../lab-support.js';

/**
 * Every module against a boot-mode lab host over SSH: check mode on a fresh host
 * predicts the change and leaves the host untouched (checked on the host), the
 * first run changes and shows a diff, the second run changes nothing, and a bad
 * argument is refused before the run with the argument named.
 */
interface Case {
  title: string;
  /** Shell run inside the host first, to make it "fresh" for this case. */
  prep: string;
  task: string;
  /** Shell that succeeds inside the host only once the change is made. */
  verify: string;
  diff?: RegExp;
  bad: { task: string; error: RegExp };
  vars?: string;
}

const HOST = 'lab3';
const ind = (s: string, n: number) =>
  s
    .trim()
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

let lab: LabState;
let project: string;
let server: Server;
const PAYLOAD = 'payload served by the controller\n';
const PAYLOAD_SUM = createHash('sha256').update(PAYLOAD).digest('hex');

function playbook(name: string, task: string, vars = ''): string {
  const f = join(project, `${name.replace(/\W+/g, '_')}.yml`);
  writeFileSync(f, `- hosts: all\n  gather_facts: false\n${vars ? `  vars:\n${ind(vars, 4)}\n` : ''}  tasks:\n    - name: the task\n${ind(task, 6)}\n`);
  return f;
}

async function run(pb: string, ...args: string[]) {
  return tsplay('run', pb, '-i', labInventory(lab, { g: [HOST] }), ...args);
}

async function onHost(cmd: string): Promise<boolean> {
  return (await inHost(lab, HOST, cmd)).exitCode === 0;
}

const CASES: Case[] = [
  {
    title: 'file: directory with a mode',
    prep: 'rm -rf /tmp/mt/d',
    task: 'file: {path: /tmp/mt/d, state: directory, mode: "0750"}',
    verify: '[ "$(stat -c %a /tmp/mt/d)" = 750 ]',
    diff: /-state: absent\n\+state: directory\n\+mode: 0750/,
    bad: { task: 'file: {path: /tmp/x, state: folder}', error: /'state': file: expected one of file, directory, link, hard, touch, absent, got "folder"/ },
  },
  {
    title: 'file: symlink',
    prep: 'rm -f /tmp/mt/l',
    task: 'file: {path: /tmp/mt/l, src: /etc/hostname, state: link}',
    verify: '[ "$(readlink /tmp/mt/l)" = /etc/hostname ]',
    diff: /\+state: link\n[\s\S]*\+src: \/etc\/hostname/,
    bad: { task: 'file: {path: /tmp/mt/l, state: link}', error: /state=link needs 'src'/ },
  },
  {
    title: 'file: absent',
    prep: 'touch /tmp/mt/gone',
    task: 'file: path=/tmp/mt/gone state=absent',
    verify: '[ ! -e /tmp/mt/gone ]',
    diff: /\+state: absent/,
    bad: { task: 'file: path=/tmp/mt/gone state=absent recurse=maybe', error: /'recurse': file: expected a boolean, got "maybe"/ },
  },
  {
    title: 'file: mode and owner below a directory (recurse)',
    prep: 'rm -rf /tmp/mt/r && mkdir -p /tmp/mt/r/a && touch /tmp/mt/r/a/f && chmod -R 700 /tmp/mt/r',
    task: 'file: {path: /tmp/mt/r, state: directory, mode: "0755", owner: nobody, recurse: true}',
    verify: '[ "$(stat -c %a:%U /tmp/mt/r/a/f)" = 755:nobody ]',
    diff: /-mode: 0700\n[\s\S]*\+mode: 0755/,
    bad: { task: 'file: {path: /tmp/mt/r, mode: rwx}', error: /'mode': file: expected a mode/ },
  },
  {
    title: 'copy: inline content with mode',
    prep: 'rm -f /tmp/mt/c.txt',
    task: 'copy: {content: "hello\\n", dest: /tmp/mt/c.txt, mode: "0640"}',
    verify: 'grep -qx hello /tmp/mt/c.txt && [ "$(stat -c %a /tmp/mt/c.txt)" = 640 ]',
    diff: /\+hello/,
    bad: { task: 'copy: {dest: /tmp/mt/c.txt}', error: /one of 'src' or 'content' is required/ },
  },
  {
    title: 'copy: src from files/, validated, with a backup of the old file',
    prep: 'echo old > /tmp/mt/h.txt',
    task: 'copy: {src: hello.txt, dest: /tmp/mt/h.txt, backup: true, validate: "grep -q hello %s"}',
    verify: 'grep -qx "hello from files" /tmp/mt/h.txt && ls /tmp/mt/h.txt.*~ >/dev/null',
    diff: /-old\n\+hello from files/,
    bad: { task: 'copy: {src: missing.txt, dest: /tmp/mt/h.txt}', error: /copy: source 'missing.txt' not found/ },
  },
  {
    title: 'template: Handlebars from templates/',
    prep: 'rm -f /tmp/mt/app.conf',
    task: 'template: {src: app.conf.hbs, dest: /tmp/mt/app.conf}',
    vars: 'app_port: 8443\nservers: [m1, m2]',
    verify: 'grep -qx "listen 8443" /tmp/mt/app.conf && grep -qx "server m2" /tmp/mt/app.conf && grep -q "for lab3" /tmp/mt/app.conf',
    diff: /\+listen 8443\n\+server m1\n\+server m2/,
    bad: { task: 'template: {src: app.conf.hbs}', error: /missing required argument 'dest'/ },
  },
  {
    title: 'lineinfile: replace the line a regexp matches',
    prep: 'printf "Port 22\\n#PasswordAuthentication yes\\nX11Forwarding yes\\n" > /tmp/mt/sshd',
    task: "lineinfile: {path: /tmp/mt/sshd, regexp: '^#?PasswordAuthentication', line: 'PasswordAuthentication no'}",
    verify: 'grep -qx "PasswordAuthentication no" /tmp/mt/sshd && [ $(wc -l < /tmp/mt/sshd) = 3 ]',
    diff: /-#PasswordAuthentication yes\n\+PasswordAuthentication no/,
    bad: { task: 'lineinfile: {path: /tmp/mt/sshd, regexp: x}', error: /state=present needs 'line'/ },
  },
  {
    title: 'lineinfile: insertafter and create',
    prep: 'rm -f /tmp/mt/new.conf',
    task: "lineinfile: {path: /tmp/mt/new.conf, line: 'a=1', create: true, insertafter: EOF}",
    verify: 'grep -qx a=1 /tmp/mt/new.conf',
    diff: /\+a=1/,
    bad: { task: 'lineinfile: {path: /tmp/mt/x, line: a, insertafter: EOF, insertbefore: BOF}', error: /mutually exclusive/ },
  },
  {
    title: 'blockinfile: a managed block',
    prep: 'printf "127.0.0.1 localhost\\n" > /tmp/mt/hosts',
    task: 'blockinfile: {path: /tmp/mt/hosts, block: "10.0.0.1 master-01\\n10.0.0.2 worker-01\\n"}',
    verify: 'grep -qx "# BEGIN ANSIBLE MANAGED BLOCK" /tmp/mt/hosts && grep -qx "10.0.0.2 worker-01" /tmp/mt/hosts',
    diff: /\+# BEGIN ANSIBLE MANAGED BLOCK\n\+10\.0\.0\.1 master-01/,
    bad: { task: 'blockinfile: {block: x}', error: /missing required argument 'path'/ },
  },
  {
    title: 'replace: comment out the swap line',
    prep: 'printf "UUID=1 / ext4 defaults 0 1\\n/swapfile none swap sw 0 0\\n" > /tmp/mt/fstab',
    task: "replace: {path: /tmp/mt/fstab, regexp: '^([^#].*\\sswap\\s.*)$', replace: '# \\1'}",
    verify: 'grep -qx "# /swapfile none swap sw 0 0" /tmp/mt/fstab',
    diff: /-\/swapfile none swap sw 0 0\n\+# \/swapfile none swap sw 0 0/,
    bad: { task: 'replace: {path: /tmp/mt/fstab}', error: /missing required argument 'regexp'/ },
  },
  {
    title: 'mount: swap lines commented in fstab',
    prep: 'printf "/swapfile none swap sw 0 0\\n" > /tmp/mt/fstab2',
    task: 'mount: {path: none, fstype: swap, state: commented, fstab: /tmp/mt/fstab2}',
    verify: 'grep -qx "# /swapfile none swap sw 0 0" /tmp/mt/fstab2',
    diff: /\+# \/swapfile/,
    bad: { task: 'mount: {path: /mnt, state: mounted}', error: /state=mounted needs 'src' and 'fstype'/ },
  },
  {
    title: 'sysctl: a k8s.conf entry, applied to the running kernel',
    prep: 'sysctl -qw net.ipv4.ip_forward=0 && rm -f /etc/sysctl.d/k8s.conf',
    task: 'sysctl: {name: net.ipv4.ip_forward, value: "1", sysctl_file: /etc/sysctl.d/k8s.conf}',
    verify: '[ "$(sysctl -n net.ipv4.ip_forward)" = 1 ] && grep -qx net.ipv4.ip_forward=1 /etc/sysctl.d/k8s.conf',
    diff: /\+net\.ipv4\.ip_forward=1/,
    bad: { task: 'sysctl: {name: net.ipv4.ip_forward}', error: /state=present needs 'value'/ },
  },
  {
    title: 'modprobe: br_netfilter (built in here) made persistent',
    prep: 'rm -f /etc/modules-load.d/br_netfilter.conf',
    task: 'modprobe: {name: br_netfilter, state: present, persistent: present}',
    verify: 'grep -qx br_netfilter /etc/modules-load.d/br_netfilter.conf',
    diff: /-persistent: false\n\+persistent: true/,
    bad: { task: 'modprobe: {name: overlay, persistent: yes}', error: /'persistent': modprobe: expected one of present, absent, disabled/ },
  },
  {
    title: 'hostname',
    prep: 'hostname lab3 && echo lab3 > /etc/hostname',
    task: 'hostname: {name: lab3-renamed}',
    verify: '[ "$(hostname)" = lab3-renamed ] && grep -qx lab3-renamed /etc/hostname',
    diff: /-lab3\n\+lab3-renamed/,
    bad: { task: 'hostname: {name: "-bad_name"}', error: /not a valid hostname/ },
  },
  {
    title: 'selinux: permissive in the config file',
    prep: 'mkdir -p /etc/selinux && printf "SELINUX=enforcing\\nSELINUXTYPE=targeted\\n" > /etc/selinux/config',
    task: 'selinux: {state: permissive, policy: targeted}',
    verify: 'grep -qx SELINUX=permissive /etc/selinux/config',
    diff: /-SELINUX=enforcing\n\+SELINUX=permissive/,
    bad: { task: 'selinux: {state: off}', error: /'state': selinux: expected one of enforcing, permissive, disabled/ },
  },
  {
    title: 'timezone',
    prep: 'ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime',
    task: 'timezone: {name: Europe/Berlin}',
    verify: 'readlink /etc/localtime | grep -q Europe/Berlin',
    diff: /-Etc\/UTC\n\+Europe\/Berlin/,
    bad: { task: 'timezone: {}', error: /missing required argument 'name'/ },
  },
  {
    title: 'group',
    prep: 'groupdel tsgroup 2>/dev/null; true',
    task: 'group: {name: tsgroup, gid: 2345}',
    verify: 'getent group tsgroup | grep -q :2345:',
    diff: /-absent\n\+tsgroup gid=2345/,
    bad: { task: 'group: {name: tsgroup, gid: many}', error: /'gid': group: expected an integer/ },
  },
  {
    title: 'user',
    prep: 'userdel -r tsuser 2>/dev/null; true',
    task: 'user: {name: tsuser, shell: /bin/sh, groups: [adm], create_home: true}',
    verify: 'getent passwd tsuser | grep -q :/bin/sh$ && id -Gn tsuser | grep -qw adm && [ -d /home/tsuser ]',
    diff: /-absent\n\+useradd/,
    bad: { task: 'user: {name: tsuser, state: gone}', error: /'state': user: expected one of present, absent/ },
  },
  {
    title: 'cron: a named entry in /etc/cron.d',
    prep: 'rm -f /etc/cron.d/tsplay',
    task: 'cron: {name: cleanup, minute: "*/5", job: "rm -f /tmp/x", cron_file: tsplay, user: root}',
    verify: 'grep -qx "#Ansible: cleanup" /etc/cron.d/tsplay && grep -qx "\\*/5 \\* \\* \\* \\* root rm -f /tmp/x" /etc/cron.d/tsplay',
    diff: /\+#Ansible: cleanup/,
    bad: { task: 'cron: {name: cleanup}', error: /state=present needs 'job'/ },
  },
  {
    title: 'unarchive: tar.gz from files/',
    prep: 'rm -rf /tmp/mt/un && mkdir -p /tmp/mt/un',
    task: 'unarchive: {src: data.tar.gz, dest: /tmp/mt/un}',
    verify: 'grep -qx "inside the archive" /tmp/mt/un/pkg/readme.txt && [ -f /tmp/mt/un/pkg/two.txt ]',
    diff: /\+unpacked data\.tar\.gz/,
    bad: { task: 'unarchive: {src: data.rar, dest: /tmp/mt/un}', error: /unarchive: source 'data.rar' not found/ },
  },
  {
    title: 'unarchive: zip',
    prep: 'rm -rf /tmp/mt/unz && mkdir -p /tmp/mt/unz',
    task: 'unarchive: {src: data.zip, dest: /tmp/mt/unz}',
    verify: 'grep -qx "inside the archive" /tmp/mt/unz/pkg/readme.txt',
    diff: /\+unpacked data\.zip/,
    bad: { task: 'unarchive: {src: data.zip}', error: /missing required argument 'dest'/ },
  },
  {
    title: 'apt_key: an armored key written dearmored to a keyring for signed-by',
    prep: 'rm -f /etc/apt/keyrings/tsplay-test.gpg',
    task: 'apt_key: {file: test-key.asc, keyring: /etc/apt/keyrings/tsplay-test.gpg}',
    verify: `[ "$(sha256sum < /etc/apt/keyrings/tsplay-test.gpg | cut -d' ' -f1)" = "${createHash('sha256')
      .update(readFileSync(join(FIXTURES, 'test-key.gpg')))
      .digest('hex')}" ]`,
    bad: { task: 'apt_key: {keyring: /etc/apt/keyrings/x.gpg}', error: /exactly one of 'url', 'data' or 'file' is required/ },
  },
  {
    title: 'apt_repository: a signed-by source line',
    prep: 'rm -f /etc/apt/sources.list.d/tsplay-test.list',
    task: "apt_repository: {repo: 'deb [signed-by=/etc/apt/keyrings/tsplay-test.gpg] https://pkgs.k8s.io/core:/stable:/v1.32/deb/ /', filename: tsplay-test, update_cache: false}",
    verify:
      'grep -q "^deb \\[signed-by=/etc/apt/keyrings/tsplay-test.gpg\\] https://pkgs.k8s.io/core:/stable:/v1.32/deb/ /$" /etc/apt/sources.list.d/tsplay-test.list',
    diff: /\+deb \[signed-by=/,
    bad: { task: 'apt_repository: {filename: x}', error: /missing required argument 'repo'/ },
  },
  {
    title: 'yum_repository: the Kubernetes RPM repository file',
    prep: 'rm -rf /etc/yum.repos.d/kubernetes.repo',
    task: 'yum_repository: {name: kubernetes, description: Kubernetes, baseurl: "https://pkgs.k8s.io/core:/stable:/v1.32/rpm/", gpgcheck: true, gpgkey: "https://pkgs.k8s.io/core:/stable:/v1.32/rpm/repodata/repomd.xml.key", exclude: "kubelet kubeadm kubectl"}',
    verify:
      'grep -qx "baseurl = https://pkgs.k8s.io/core:/stable:/v1.32/rpm/" /etc/yum.repos.d/kubernetes.repo && grep -qx "gpgcheck = 1" /etc/yum.repos.d/kubernetes.repo',
    diff: /\+\[kubernetes\]/,
    bad: { task: 'yum_repository: {name: x}', error: /state=present needs 'baseurl'/ },
  },
  {
    title: 'apt: a pinned version, installed for real from Debian',
    prep: 'apt-get -y -q remove ipset >/dev/null 2>&1; true',
    task: 'apt: {name: "ipset={{ipset_version}}"}',
    vars: 'ipset_version: "VERSION"',
    verify: '[ "$(dpkg-query -W -f=\'${db:Status-Abbrev}\' ipset)" = "ii " ]',
    diff: /-ipset: absent\n\+ipset: /,
    bad: { task: 'apt: {name: ipset, state: newest}', error: /'state': apt: expected one of present, installed, latest, absent, removed/ },
  },
  {
    title: 'dpkg_selections: hold',
    prep: 'echo "ipset install" | dpkg --set-selections',
    task: 'dpkg_selections: {name: ipset, selection: hold}',
    verify: 'dpkg --get-selections ipset | grep -q hold',
    diff: /-install\n\+hold/,
    bad: { task: 'dpkg_selections: {name: ipset, selection: freeze}', error: /'selection': dpkg_selections: expected one of install, hold, deinstall, purge/ },
  },
  {
    title: 'apt: haproxy, chrony and ipvsadm from Debian',
    prep: 'apt-get -y -q remove haproxy chrony ipvsadm >/dev/null 2>&1; true',
    task: 'apt: {name: [haproxy, chrony, ipvsadm], state: present}',
    verify: 'for p in haproxy chrony ipvsadm; do dpkg-query -W -f="\\${db:Status-Abbrev}" $p | grep -q "^ii" || exit 1; done',
    diff: /-haproxy: absent\n-chrony: absent\n-ipvsadm: absent/,
    bad: { task: 'apt: {update_cache: sometimes}', error: /'update_cache': apt: expected a boolean/ },
  },
  {
    title: 'package: picks apt on Debian',
    prep: 'apt-get -y -q remove conntrack >/dev/null 2>&1; true',
    task: 'package: {name: conntrack, state: present}',
    verify: 'dpkg-query -W -f="\\${db:Status-Abbrev}" conntrack | grep -q "^ii"',
    diff: /-conntrack: absent/,
    bad: { task: 'package: {name: conntrack, use: pacman}', error: /'use': package: expected one of auto, apt, dnf, yum/ },
  },
  {
    title: 'systemd: haproxy started and enabled, for real',
    prep: 'systemctl disable --now haproxy >/dev/null 2>&1; true',
    task: 'systemd: {name: haproxy, state: started, enabled: true}',
    verify: 'systemctl is-active -q haproxy && systemctl is-enabled -q haproxy',
    diff: /-state: inactive\n-enabled: disabled\n[\s\S]*\+state: active\n\+enabled: enabled/,
    bad: { task: 'systemd: {name: haproxy, state: running}', error: /'state': systemd: expected one of started, stopped, restarted, reloaded/ },
  },
  {
    title: 'service: a running unit stopped and disabled',
    prep: 'printf "[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n" > /lib/systemd/system/tsplay-sleep.service && systemctl daemon-reload && systemctl enable --now tsplay-sleep >/dev/null 2>&1',
    task: 'service: {name: tsplay-sleep, state: stopped, enabled: false}',
    verify: '! systemctl is-active -q tsplay-sleep && ! systemctl is-enabled -q tsplay-sleep',
    diff: /-state: active\n-enabled: enabled\n[\s\S]*\+state: inactive\n\+enabled: disabled/,
    bad: { task: 'service: {state: started}', error: /'name' is required/ },
  },
  {
    title: 'systemd: mask a unit, with daemon_reload after writing it',
    prep: 'systemctl unmask tsplay-test >/dev/null 2>&1; rm -f /etc/systemd/system/tsplay-test.service; printf "[Service]\\nType=oneshot\\nExecStart=/bin/true\\n" > /lib/systemd/system/tsplay-test.service && systemctl daemon-reload',
    task: 'systemd: {name: tsplay-test, masked: true, daemon_reload: true}',
    verify: '[ "$(systemctl is-enabled tsplay-test 2>/dev/null)" = masked ]',
    diff: /-masked: false\n\+masked: true/,
    bad: { task: 'systemd: {enabled: true}', error: /'name' is required unless daemon_reload is set/ },
  },
  {
    title: 'get_url: a file from the controller, checked by sha256',
    prep: 'rm -f /tmp/mt/payload',
    task: `get_url: {url: "http://10.77.0.1:{{port}}/payload", dest: /tmp/mt/payload, checksum: "sha256:${PAYLOAD_SUM}", mode: "0600"}`,
    vars: 'port: PORT',
    verify: `[ "$(sha256sum < /tmp/mt/payload | cut -d' ' -f1)" = ${PAYLOAD_SUM} ] && [ "$(stat -c %a /tmp/mt/payload)" = 600 ]`,
    diff: /-absent\n\+downloaded from http/,
    bad: { task: 'get_url: {url: "http://x/", dest: /tmp/x, checksum: "crc:12"}', error: /checksum must look like 'sha256:HEX'/ },
  },
];

describe('modules over SSH on a boot-mode lab host', function () {
  this.timeout(600000);

  before(async () => {
    // Hosts nothing has touched: the cluster tests leave services (containerd, docker, keepalived) running.
    lab = await freshLab(3);
    project = mkdtempSync(join(tmpdir(), 'modtest-'));
    cpSync(join(FIXTURES, 'modules'), project, { recursive: true });
    cpSync(join(FIXTURES, 'test-key.asc'), join(project, 'files', 'test-key.asc'));
    server = createServer((req, res) => {
      if (req.url === '/payload') res.end(PAYLOAD);
      else if (req.url === '/health') res.setHeader('content-type', 'application/json').end('{"status":"ok"}');
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '10.77.0.1', r));
    const port = (server.address() as { port: number }).port;
    const version = (await inHost(lab, HOST, "apt-cache policy ipset | awk '/Candidate/ {print $2}'")).stdout.trim();
    for (const c of CASES) c.vars = c.vars?.replace('VERSION', version).replace('PORT', String(port));
    expect(await onHost('mkdir -p /tmp/mt')).to.equal(true);
  });

  after(async () => {
    server?.close();
    if (lab) await inHost(lab, HOST, 'hostname lab3; echo lab3 > /etc/hostname; apt-mark unhold ipset >/dev/null 2>&1; true');
  });

  for (const c of CASES) {
    it(c.title, async () => {
      expect(await onHost(c.prep), `prep: ${c.prep}`).to.equal(true);
      const pb = playbook(c.title, c.task, c.vars);
      const check = await run(pb, '--check');
      expect(check.code, check.out).to.equal(0);
      expect(check.out, 'check mode predicts the change').to.match(/changed: \[lab3\]/);
      expect(await onHost(c.verify), 'check mode left the host untouched').to.equal(false);
      const first = await run(pb, '--diff');
      expect(first.code, first.out).to.equal(0);
      expect(first.out).to.match(/changed: \[lab3\]/);
      if (c.diff) expect(first.out, 'diff output').to.match(c.diff);
      expect(await onHost(c.verify), `verify: ${c.verify}\n${first.out}`).to.equal(true);
      const second = await run(pb);
      expect(second.code, second.out).to.equal(0);
      expect(second.out, 'second run changes nothing').to.match(/lab3\s+: ok=1\s+changed=0/);
      const bad = await run(playbook(`${c.title} bad`, c.bad.task));
      expect(bad.code, bad.out + bad.err).to.equal(4);
      expect(bad.err).to.match(/\.yml:\d+:\d+: /);
      expect(bad.err).to.match(c.bad.error);
    });
  }

  it('file: touch always reports changed, as in Ansible', async () => {
    const pb = playbook('touch', 'file: {path: /tmp/mt/t, state: touch}');
    expect((await run(pb)).out).to.match(/changed: \[lab3\]/);
    expect((await run(pb)).out).to.match(/changed: \[lab3\]/);
  });

  it('stat, slurp and find read without changing', async () => {
    await onHost('printf "abc\\n" > /tmp/mt/r1.txt && printf x > /tmp/mt/r2.log');
    const pb = playbook('readers', ['stat: {path: /tmp/mt/r1.txt}', '  register: s'].join('\n'));
    writeFileSync(
      pb,
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - stat: {path: /tmp/mt/r1.txt}\n      register: s\n    - assert: {that: [s.stat.exists, s.stat.isreg, s.stat.size == 4, "s.stat.checksum == '03cfd743661f07975fa2f1220c5194cbaff48451'"]}\n    - slurp: {src: /tmp/mt/r1.txt}\n      register: sl\n    - assert: {that: ["sl.content == 'YWJjCg=='"]}\n    - find: {paths: /tmp/mt, patterns: ['r*.txt', 'r*.log']}\n      register: f\n    - assert: {that: [f.matched == 2]}\n    - stat: {path: /tmp/mt/none}\n      register: n\n    - assert: {that: [not n.stat.exists]}\n`,
    );
    const r = await run(pb);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/lab3\s+: ok=8\s+changed=0/);
  });

  it('fetch: copies a host file to the controller, then reports ok', async () => {
    const dest = mkdtempSync(join(tmpdir(), 'fetch-'));
    const pb = playbook('fetch', `fetch: {src: /etc/hostname, dest: "${dest}/"}`);
    const check = await run(pb, '--check');
    expect(check.out).to.match(/changed: \[lab3\]/);
    expect(existsSync(join(dest, 'lab3', 'etc', 'hostname'))).to.equal(false);
    expect((await run(pb)).out).to.match(/changed: \[lab3\]/);
    expect(readFileSync(join(dest, 'lab3', 'etc', 'hostname'), 'utf8')).to.match(/^lab3/);
    expect((await run(pb)).out).to.match(/lab3\s+: ok=1\s+changed=0/);
    rmSync(dest, { recursive: true, force: true });
  });

  it('wait_for and uri: a port, a path, an HTTP health check, and their failures', async () => {
    const port = (server.address() as { port: number }).port;
    const pb = playbook('waits', 'wait_for: {path: /etc/hostname, timeout: 5}');
    writeFileSync(
      pb,
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - wait_for: {path: /etc/hostname, timeout: 5}\n    - wait_for: {host: 10.77.0.1, port: ${port}, timeout: 5}\n    - uri: {url: "http://10.77.0.1:${port}/health", return_content: true}\n      register: h\n    - assert: {that: ["h.json.status == 'ok'", h.status == 200]}\n    - uri: {url: "http://10.77.0.1:${port}/nope"}\n      ignore_errors: true\n      register: miss\n    - assert: {that: [miss is failed, miss.status == 404]}\n    - wait_for: {path: /tmp/never-there, timeout: 1}\n`,
    );
    const r = await run(pb);
    expect(r.code).to.equal(2);
    expect(r.out).to.match(/Timeout when waiting for \/tmp\/never-there to be started/);
    expect(r.out).to.match(/lab3\s+: ok=6\s+changed=0\s+unreachable=0\s+failed=1\s+skipped=0\s+rescued=0\s+ignored=1/);
  });

  it('get_url offline says so clearly; dnf on a Debian host names the problem', async () => {
    const pb = playbook('offline', 'get_url: {url: "http://10.77.0.1:9/file", dest: /tmp/mt/never}');
    const r = await run(pb);
    expect(r.code).to.equal(2);
    expect(r.out).to.match(/cannot download http:\/\/10\.77\.0\.1:9\/file \(offline, or the server refused\)/);
    const d = await run(playbook('dnf', 'dnf: {name: kubelet}'));
    expect(d.out).to.match(/dnf not found on lab3: this host is not in the RHEL family/);
  });

  it('ufw and firewalld: a host without them is already off; turning them on there is an error', async () => {
    const off = await run(playbook('fw-off', 'ufw: {state: disabled}'));
    expect(off.code, off.out).to.equal(0);
    expect(off.out).to.match(/lab3\s+: ok=1\s+changed=0/);
    const fwd = await run(playbook('firewalld-off', 'firewalld: {state: disabled}'));
    expect(fwd.out).to.match(/lab3\s+: ok=1\s+changed=0/);
    const on = await run(playbook('fw-on', 'ufw: {state: enabled}'));
    expect(on.code).to.equal(2);
    expect(on.out).to.match(/ufw is not installed on lab3/);
    const bad = await run(playbook('fw-bad', 'ufw: {state: off}'));
    expect(bad.code).to.equal(4);
    expect(bad.err).to.match(/'state': ufw: expected one of enabled, disabled, reset/);
  });

  it('services: restarted always restarts (a new main PID)', async () => {
    const pid = (await inHost(lab, HOST, 'systemctl show -p MainPID --value haproxy')).stdout.trim();
    const r = await run(playbook('restart', 'systemd: {name: haproxy, state: restarted}'));
    expect(r.out).to.match(/changed: \[lab3\]/);
    const after = (await inHost(lab, HOST, 'systemctl show -p MainPID --value haproxy')).stdout.trim();
    expect(after).to.not.equal(pid);
    expect(await onHost('systemctl is-active -q haproxy')).to.equal(true);
  });

  it('no-change runs of the file modules cost one remote command per task; a change at most three', async () => {
    const tasks = [
      'file: {path: /tmp/mt/b/d, state: directory, mode: "0755"}',
      'copy: {content: "x\\n", dest: /tmp/mt/b/c, mode: "0644"}',
      'template: {src: app.conf.hbs, dest: /tmp/mt/b/t}',
      "lineinfile: {path: /tmp/mt/b/c, line: 'y'}",
      'blockinfile: {path: /tmp/mt/b/c, block: "z"}',
      "replace: {path: /tmp/mt/b/c, regexp: '^y$', replace: 'w'}",
    ];
    await onHost('rm -rf /tmp/mt/b && mkdir -p /tmp/mt/b');
    for (const t of tasks) {
      const pb = playbook(`budget ${t.split(':')[0]}`, t, 'app_port: 1\nservers: [a]');
      const first = JSON.parse((await run(pb, '--json')).out) as { commands: Record<string, number>; stats: Record<string, { changed: number }> };
      expect(first.stats.lab3!.changed, t).to.equal(1);
      expect(first.commands.lab3, `change: ${t}`).to.be.at.most(3);
      const again = JSON.parse((await run(pb, '--json')).out) as { commands: Record<string, number>; stats: Record<string, { changed: number }> };
      expect(again.stats.lab3!.changed, t).to.equal(0);
      expect(again.commands.lab3, `no change: ${t}`).to.equal(1);
    }
  });
});
