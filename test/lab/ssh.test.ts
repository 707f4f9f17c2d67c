import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { connectSsh } from '../../engine/connection/ssh.js';
import type { LabState } from '../../lab/lab.js';
import { FIXTURES, ROOT, tsplay } from '../helpers.js';
import { ensureLab, inHost, labInventory } from '../lab-support.js';

function playbook(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'pb-')), 'pb.yml');
  writeFileSync(f, text);
  return f;
}

/** sshd logins on a host so far, counted by the host's own journal. */
async function logins(lab: LabState, host: string): Promise<number> {
  const r = await inHost(lab, host, "journalctl -q -o cat _COMM=sshd-session _COMM=sshd 2>/dev/null | grep -c 'Accepted ' || true");
  return Number(r.stdout.trim() || 0);
}

describe('over SSH against the lab (boot-mode hosts)', function () {
  this.timeout(180000);
  let lab: LabState;

  before(async () => {
    lab = await ensureLab();
    for (const h of ['lab1', 'lab2', 'lab3']) {
      const r = await inHost(
        lab,
        h,
        [
          'id tester >/dev/null 2>&1 || useradd -m -s /bin/sh tester',
          'id tester2 >/dev/null 2>&1 || useradd -m -s /bin/sh tester2',
          "echo 'tester:pw-Tester-1' | chpasswd",
          "echo 'tester2:Sudo-Pw-42x' | chpasswd",
          "echo 'tester ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/tester",
          "echo 'tester2 ALL=(ALL) ALL' > /etc/sudoers.d/tester2",
          'mkdir -p /home/tester/.ssh && cp /root/.ssh/authorized_keys /home/tester/.ssh/ && chown -R tester: /home/tester/.ssh',
          'rm -rf /tmp/tsplay-e2e',
        ].join(' && '),
      );
      expect(r.exitCode, `prepare ${h}`).to.equal(0);
    }
  });

  it("runs the engine's end-to-end playbook over SSH: changes first, nothing the second time", async () => {
    const inv = labInventory(lab, { web: ['lab1', 'lab2', 'lab3'] });
    const site = join(FIXTURES, 'e2e', 'site.yml');
    const first = await tsplay('run', site, '-i', inv);
    expect(first.code, first.out).to.equal(0);
    expect(first.out).to.match(/lab2\s+: ok=5\s+changed=2/);
    for (const h of ['lab1', 'lab2', 'lab3']) expect((await inHost(lab, h, `cat /tmp/tsplay-e2e/${h}/name`)).stdout).to.equal(h);
    const second = await tsplay('run', site, '-i', inv);
    expect(second.out).to.match(/lab2\s+: ok=4\s+changed=0/);
    expect(second.out).not.to.match(/changed: \[lab[23]\]/);
  });

  it('one connection serves a whole run (sshd logins counted on the host)', async () => {
    const pb = playbook(`- hosts: all\n  gather_facts: true\n  tasks:\n${Array.from({ length: 12 }, (_, i) => `    - command: echo ${i}\n`).join('')}`);
    const inv = labInventory(lab, { g: ['lab2'] });
    const before = await logins(lab, 'lab2');
    const r = await tsplay('run', pb, '-i', inv);
    expect(r.code, r.out).to.equal(0);
    expect(await logins(lab, 'lab2')).to.equal(before + 1);
  });

  it('authenticates with a key file, with ssh-agent, and with a password', async () => {
    const pb = playbook(
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: whoami\n      register: w\n    - assert: {that: [w.stdout == ansible_user]}\n',
    );
    const key = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_user: 'tester' }));
    expect(key.code, key.out).to.equal(0);
    const agentDir = mkdtempSync(join(tmpdir(), 'agent-'));
    const sock = join(agentDir, 'sock');
    const agent = await execa('ssh-agent', ['-a', sock]);
    const agentPid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)![1]!;
    try {
      await execa('ssh-add', [lab.key], { env: { SSH_AUTH_SOCK: sock } });
      process.env.SSH_AUTH_SOCK = sock;
      const viaAgent = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_ssh_private_key_file: '/nonexistent/key' }));
      expect(viaAgent.code, viaAgent.out).to.equal(0);
    } finally {
      delete process.env.SSH_AUTH_SOCK;
      process.kill(Number(agentPid));
    }
    const pw = await tsplay(
      'run',
      pb,
      '-i',
      labInventory(lab, { g: ['lab1'] }, { ansible_user: 'tester2', ansible_password: 'Sudo-Pw-42x', ansible_ssh_private_key_file: '/nonexistent/key' }),
    );
    expect(pw.code, pw.out).to.equal(0);
    const bad = await tsplay(
      'run',
      pb,
      '-i',
      labInventory(lab, { g: ['lab1'] }, { ansible_user: 'tester2', ansible_password: 'wrong', ansible_ssh_private_key_file: '/nonexistent/key' }),
    );
    expect(bad.code).to.equal(4);
    expect(bad.out).to.match(/UNREACHABLE!.*authentication failed for tester2@/);
  });

  it('becomes root through sudo, with and without a sudo password, never showing the password', async () => {
    const pb = playbook(
      '- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n    - command: whoami\n      register: w\n    - assert: {that: [w.stdout == "root"]}\n    - command: id -un\n      become_user: nobody\n      register: n\n    - assert: {that: [n.stdout == "nobody"]}\n',
    );
    const nopw = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_user: 'tester' }), '-vvv');
    expect(nopw.code, nopw.out).to.equal(0);
    expect(nopw.out).to.include('sudo -n');
    const withPw = await tsplay(
      'run',
      pb,
      '-i',
      labInventory(
        lab,
        { g: ['lab1'] },
        { ansible_user: 'tester2', ansible_password: 'Sudo-Pw-42x', ansible_ssh_private_key_file: '/nonexistent/key', ansible_become_password: 'Sudo-Pw-42x' },
      ),
      '-vvv',
    );
    expect(withPw.code, withPw.out).to.equal(0);
    expect(withPw.out + withPw.err).not.to.include('Sudo-Pw-42x');
    const wrong = await tsplay(
      'run',
      pb,
      '-i',
      labInventory(
        lab,
        { g: ['lab1'] },
        {
          ansible_user: 'tester2',
          ansible_password: 'Sudo-Pw-42x',
          ansible_ssh_private_key_file: '/nonexistent/key',
          ansible_become_password: 'Wrong-Secret-77',
        },
      ),
      '-vvv',
    );
    expect(wrong.code).to.equal(2);
    expect(wrong.out + wrong.err).not.to.include('Wrong-Secret-77');
    expect(wrong.out + wrong.err).not.to.include('Sudo-Pw-42x');
  });

  it('a no_log secret appears nowhere in the output, at any verbosity', async () => {
    const pb = playbook(
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: echo token-XYZ-123 > /tmp/tok; cat /tmp/tok\n      no_log: true\n      register: t\n    - fail: {msg: "{{t.stdout}}"}\n      no_log: true\n',
    );
    const r = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }), '-vvv');
    expect(r.code).to.equal(2);
    expect(r.out + r.err).not.to.include('token-XYZ-123');
  });

  it('refuses an unknown host key and a changed one; checking off accepts only the unknown', async () => {
    const pb = playbook('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
    const empty = join(mkdtempSync(join(tmpdir(), 'kh-')), 'known_hosts');
    writeFileSync(empty, '');
    const unknown = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_ssh_known_hosts_file: empty }));
    expect(unknown.code).to.equal(4);
    expect(unknown.out).to.match(/UNREACHABLE!.*is not in .*accept it with: ssh-keyscan -p 22 10\.77\.0\.11/);
    const changed = join(mkdtempSync(join(tmpdir(), 'kh-')), 'known_hosts');
    const other = join(mkdtempSync(join(tmpdir(), 'k-')), 'k');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const { readFileSync } = await import('node:fs');
    // A hashed entry, as `HashKnownHosts yes` writes them.
    writeFileSync(changed, `10.77.0.11 ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    await execa('ssh-keygen', ['-H', '-f', changed]);
    const ch = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_ssh_known_hosts_file: changed }));
    expect(ch.code).to.equal(4);
    expect(ch.out).to.match(/REMOTE HOST IDENTIFICATION HAS CHANGED for 10\.77\.0\.11/);
    const off = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_ssh_known_hosts_file: empty }), '--host-key-checking', 'false');
    expect(off.code, off.out).to.equal(0);
    const offChanged = await tsplay(
      'run',
      pb,
      '-i',
      labInventory(lab, { g: ['lab1'] }, { ansible_ssh_known_hosts_file: changed }),
      '--host-key-checking',
      'false',
    );
    expect(offChanged.code).to.equal(4);
    // The hashed known_hosts that lists the right key is accepted.
    const hashed = join(mkdtempSync(join(tmpdir(), 'kh-')), 'known_hosts');
    writeFileSync(hashed, readFileSync(lab.knownHosts, 'utf8'));
    await execa('ssh-keygen', ['-H', '-f', hashed]);
    const ok = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, { ansible_ssh_known_hosts_file: hashed }));
    expect(ok.code, ok.out).to.equal(0);
  });

  it('a 50 MiB file arrives intact (checksum on both ends)', async () => {
    const c = await connectSsh({
      host: 'lab2',
      kind: 'ssh',
      address: lab.hosts[1]!.address,
      user: 'root',
      privateKeyFile: lab.key,
      knownHostsFile: lab.knownHosts,
    });
    try {
      const data = randomBytes(50 * 1024 * 1024);
      await c.put('/tmp/big.bin', data, { mode: '0600' });
      const r = await c.exec("sha256sum /tmp/big.bin | cut -d' ' -f1; stat -c %a /tmp/big.bin");
      expect(r.stdout.split('\n')[0]).to.equal(createHash('sha256').update(data).digest('hex'));
      expect(r.stdout.split('\n')[1]).to.equal('600');
    } finally {
      await c.close();
    }
  });

  it("commands on one connection's persistent shells keep their output, exit codes and failures apart", async () => {
    const c = await connectSsh({
      host: 'lab2',
      kind: 'ssh',
      address: lab.hosts[1]!.address,
      user: 'root',
      privateKeyFile: lab.key,
      knownHostsFile: lab.knownHosts,
    });
    try {
      // stderr before anything else, no trailing newline, multibyte text, a shell exit, stdin closed.
      const a = await c.exec("echo early >&2; printf 'naïve → ok'; exit 3");
      expect(a).to.deep.equal({ rc: 3, stdout: 'naïve → ok', stderr: 'early\n' });
      const b = await c.exec('cat; echo "read $?"; echo $0 | grep -c sh');
      expect(b).to.deep.equal({ rc: 0, stdout: 'read 0\n1\n', stderr: '' });
      // A syntax error in one command is that command's failure, not the shell's.
      const bad = await c.exec("echo 'unterminated");
      expect(bad.rc).to.not.equal(0);
      const env = await c.exec('echo "$GREETING from $(pwd)"', { env: { GREETING: "it's me" }, cwd: '/etc' });
      expect(env.stdout).to.equal("it's me from /etc\n");
      // Several commands at once, each with its own result.
      const many = await Promise.all(Array.from({ length: 12 }, (_, i) => c.exec(`sleep 0.2; echo ${i}; echo e${i} >&2; exit ${i}`)));
      for (const [i, r] of many.entries()) expect(r).to.deep.equal({ rc: i, stdout: `${i}\n`, stderr: `e${i}\n` });
      // A large output arrives whole, end markers found after it.
      const big = await c.exec('head -c 30000000 /dev/zero | tr "\\0" x; echo; echo done >&2');
      expect(big.rc).to.equal(0);
      expect(big.stdout.length).to.equal(30000001);
      expect(big.stdout.slice(0, 5)).to.equal('xxxxx');
      expect(big.stderr).to.equal('done\n');
      expect(c.commands).to.equal(17);
    } finally {
      await c.close();
    }
  });

  it('a host whose sshd dies mid-play is UNREACHABLE, the others finish, exit code 4', async () => {
    const pb = playbook(
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - command: "true"',
        '    - name: sshd dies on lab3',
        '      command: "true"',
        '      delegate_to: localhost',
        '      run_once: true',
        '    - pause: {seconds: 1}',
        '    - name: after',
        '      command: hostname',
        '',
      ].join('\n'),
    );
    const inv = labInventory(lab, { g: ['lab1', 'lab2', 'lab3'] });
    const run = tsplay('run', pb, '-i', inv);
    // Kill lab3's sshd (and with it our open connection) while the play runs.
    await new Promise((r) => setTimeout(r, 400));
    await inHost(lab, 'lab3', 'systemctl stop ssh; pkill -KILL -x sshd || true');
    const r = await run;
    await inHost(lab, 'lab3', 'systemctl start ssh');
    expect(r.code, r.out).to.equal(4);
    expect(r.out).to.match(/fatal: \[lab3\]: UNREACHABLE!/);
    expect(r.out).to.match(/lab1\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(r.out).to.match(/lab3\s+: ok=\d+\s+changed=\d+\s+unreachable=1/);
    expect(r.out).to.match(/TASK \[after\][\s\S]*changed: \[lab2\]/);
  });

  it('ignore_unreachable lets the play go on for that host', async () => {
    const pb = playbook('- hosts: all\n  gather_facts: false\n  ignore_unreachable: true\n  tasks:\n    - command: "true"\n    - debug: msg=still\n');
    const r = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }, {}, { lab1: { ansible_port: 2 } }));
    expect(r.out).to.match(/UNREACHABLE!/);
    expect(r.out).to.match(/TASK \[debug\][\s\S]*ok: \[lab1\]/);
  });

  it('delegate_to, run_once and hostvars work across SSH hosts; ProxyJump through a bastion', async () => {
    const pb = playbook(
      [
        '- hosts: all',
        '  gather_facts: true',
        '  tasks:',
        '    - command: hostname',
        '      register: hn',
        '      changed_when: false',
        '    - name: delegated to lab1 with its own connection',
        '      command: hostname',
        '      delegate_to: lab1',
        '      register: d',
        '      changed_when: false',
        '    - assert: {that: [d.stdout == "lab1"]}',
        '    - name: to the controller',
        '      command: "true"',
        '      delegate_to: localhost',
        '      changed_when: false',
        '    - name: hostvars of another SSH host',
        '      assert: {that: [hostvars.lab3.hn.stdout == "lab3", hostvars.lab3.ansible_hostname == "lab3"]}',
        '    - command: hostname',
        '      run_once: true',
        '      register: once',
        '    - assert: {that: [once.stdout == "lab2"]}',
        '',
      ].join('\n'),
    );
    const inv = labInventory(lab, { g: ['lab2', 'lab3'], other: ['lab1'] }, {}, { lab3: { ansible_ssh_proxy_jump: `root@${lab.hosts[0]!.address}` } });
    const r = await tsplay('run', pb, '-i', inv, '--limit', 'g');
    expect(r.code, r.out).to.equal(0);
    const j = await inHost(
      lab,
      'lab3',
      `journalctl -q -o cat _COMM=sshd-session _COMM=sshd | grep 'Accepted publickey for root from ${lab.hosts[0]!.address}' | wc -l`,
    );
    expect(Number(j.stdout)).to.be.greaterThan(0);
  });

  it('a command timeout ends the remote command; an interrupt ends it too, prints the recap and exits 99', async () => {
    const pb = playbook(
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 300\n      timeout: 2\n      ignore_errors: true\n      register: t\n    - assert: {that: [t.rc == 124]}\n',
    );
    const r = await tsplay('run', pb, '-i', labInventory(lab, { g: ['lab1'] }));
    expect(r.code, r.out).to.equal(0);
    const slow = playbook('- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 412\n    - command: "true"\n');
    const inv = labInventory(lab, { g: ['lab1'] });
    const child = execa('node', [join(ROOT, 'bin', 'tsplay.js'), 'run', slow, '-i', inv], { reject: false });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('TASK [command]')) await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 700));
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode).to.equal(99);
    expect(done.stdout).to.include('PLAY RECAP');
    await new Promise((res) => setTimeout(res, 500));
    expect((await inHost(lab, 'lab1', "ps -eo args= | grep -x 'sleep 412' || true")).stdout.trim()).to.equal('');
    expect((await inHost(lab, 'lab1', "ps -eo args= | grep -x 'sleep 300' || true")).stdout.trim()).to.equal('');
  });
});
