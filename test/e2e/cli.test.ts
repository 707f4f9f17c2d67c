import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { FIXTURES, ROOT, tsplay } from '../helpers.js';

const dir = join(FIXTURES, 'e2e');
const site = join(dir, 'site.yml');
const inv = join(dir, 'inv.yml');
const BIN = join(ROOT, 'bin', 'tsplay.js');

describe('tsplay run over the local connection', function () {
  this.timeout(60000);
  beforeEach(() => rmSync('/tmp/tsplay-e2e', { recursive: true, force: true }));

  it('first run changes, handlers run; the second run changes nothing', async () => {
    const first = await tsplay('run', site, '-i', inv);
    expect(first.code, first.out).to.equal(0);
    expect(first.out).to.match(/RUNNING HANDLER \[announce\]/);
    // run_once: 'only once' counts on w1 alone, as in Ansible.
    expect(first.out).to.match(/w1\s+: ok=6\s+changed=3/);
    for (const h of ['w1', 'w2', 'w3', 'w4']) {
      if (h !== 'w1') expect(first.out).to.match(new RegExp(`${h}\\s+: ok=5\\s+changed=2`));
      expect(existsSync(`/tmp/tsplay-e2e/${h}/name`)).to.equal(true);
    }
    const second = await tsplay('run', site, '-i', inv);
    expect(second.out).not.to.match(/changed: \[w[234]\]/);
    expect(second.out).not.to.match(/RUNNING HANDLER/);
    expect(second.out).to.match(/w2\s+: ok=4\s+changed=0/);
  });

  it('copy content with text around one expression writes every byte (the trailing newline too)', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'content-'));
    const pb = join(d, 'pb.yml');
    writeFileSync(
      pb,
      `- hosts: localhost\n  gather_facts: false\n  vars: {v: abc}\n  tasks:\n    - copy: {content: "{{v}}\\n", dest: ${d}/a}\n    - copy: {content: "{{v}} \\n", dest: ${d}/b}\n`,
    );
    const r = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local');
    expect(r.code, r.out).to.equal(0);
    expect(readFileSync(join(d, 'a'), 'utf8')).to.equal('abc\n');
    expect(readFileSync(join(d, 'b'), 'utf8')).to.equal('abc \n');
  });

  it('a hostile module name or time zone never reaches a shell', async () => {
    const { existsSync: exists, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'hostile-'));
    const pb = join(d, 'pb.yml');
    writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - modprobe: {name: "x$(touch ${d}/m)"}\n`);
    const r = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local');
    expect(r.code, r.out + r.err).to.equal(4);
    expect(r.out + r.err).to.match(/'name': expected a kernel module name/);
    writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - timezone: {name: "UTC'; touch ${d}/t; '"}\n      check_mode: true\n`);
    const t = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local');
    expect(t.out).to.match(/unknown time zone/);
    expect(exists(join(d, 'm')) || exists(join(d, 't'))).to.equal(false);
  });

  it('copy writes a file whose name is a legal 244 characters (the temporary name stays short)', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mkdtempSync(join(tmpdir(), 'long-'));
    const name = 'n'.repeat(244);
    const pb = join(d, 'pb.yml');
    writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: {content: "x\\n", dest: ${d}/${name}}\n`);
    const r = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local');
    expect(r.code, r.out).to.equal(0);
    expect(readFileSync(join(d, name), 'utf8')).to.equal('x\n');
  });

  it("a --limit that matches no host exits 1 with ansible-playbook's message", async () => {
    const r = await tsplay('run', site, '-i', inv, '--limit', 'nosuchhost');
    expect(r.code).to.equal(1);
    expect(r.err).to.include('Specified inventory, host pattern and/or --limit leaves us with no hosts to target.');
    expect(existsSync('/tmp/tsplay-e2e')).to.equal(false);
  });

  it('an unknown module in a dynamic include warns at load and fails only the task that runs it', async () => {
    const { mkdtempSync: mk } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const d = mk(join(tmpdir(), 'dyn-'));
    writeFileSync(join(d, 'suse.yml'), '- name: only on SUSE\n  community.general.zypper:\n    name: nothing\n');
    writeFileSync(join(d, 'skip.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks: suse.yml\n      when: false\n');
    const skipped = await tsplay('run', join(d, 'skip.yml'), '-i', 'localhost,', '-c', 'local');
    expect(skipped.code, skipped.out + skipped.err).to.equal(0);
    expect(skipped.err).to.match(/\[WARNING\]: .*suse\.yml:2: couldn't resolve module\/action 'community\.general\.zypper'/);
    writeFileSync(join(d, 'run.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks: suse.yml\n');
    const ran = await tsplay('run', join(d, 'run.yml'), '-i', 'localhost,', '-c', 'local');
    expect(ran.code).to.equal(2);
    expect(ran.out).to.match(/fatal: \[localhost\]: FAILED! => .*couldn't resolve module\/action 'community\.general\.zypper'/);
    // A static import still stops the run at load.
    writeFileSync(join(d, 'import.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - import_tasks: suse.yml\n');
    expect((await tsplay('run', join(d, 'import.yml'), '-i', 'localhost,', '-c', 'local')).code).to.equal(4);
  });

  it('a malformed --limit pattern is named in a warning, as Ansible does', async () => {
    const r = await tsplay('run', site, '-i', inv, '--limit', 'web[1:x');
    expect(r.code).to.equal(1);
    expect(r.err).to.include('[WARNING]: Could not match supplied host pattern, ignoring: web[1:x');
  });

  it('check mode predicts and changes nothing', async () => {
    const r = await tsplay('run', site, '-i', inv, '--check');
    expect(r.code).to.equal(0);
    expect(existsSync('/tmp/tsplay-e2e')).to.equal(false);
    expect(r.out).to.match(/TASK \[make the directory\] \*+\nchanged: \[w1\]/);
  });

  it('no_log hides the secret everywhere, even at -vvv', async () => {
    const r = await tsplay('run', site, '-i', inv, '-vvv');
    expect(r.out).to.include("the output has been hidden due to the fact that 'no_log: true'");
    expect(r.out + r.err).not.to.include('s3cr3t-value');
  });

  it('--tags, --skip-tags, --limit and --start-at-task select what runs', async () => {
    const tags = await tsplay('run', site, '-i', inv, '--tags', 'late');
    expect(tags.out).to.include('TASK [late task]');
    expect(tags.out).not.to.include('TASK [write a file per host]');
    const skip = await tsplay('run', site, '-i', inv, '--skip-tags', 'files,setup');
    expect(skip.out).not.to.include('TASK [write a file per host]');
    expect(skip.out).to.include('TASK [a secret]');
    const limit = await tsplay('run', site, '-i', inv, '--limit', 'w2:w3');
    expect(limit.out).to.match(/^w2 /m).and.to.match(/^w3 /m);
    expect(limit.out).not.to.match(/^w1 /m);
    const start = await tsplay('run', site, '-i', inv, '--start-at-task', 'a secret');
    expect(start.out).not.to.include('TASK [write a file per host]');
    expect(start.out).to.include('TASK [a secret]');
  });

  it('--list-hosts, --list-tasks and --list-tags touch no host', async () => {
    const hosts = await tsplay('run', site, '-i', inv, '--list-hosts', '--limit', 'w1,w4');
    expect(hosts.out).to.include('hosts (2):\n      w1\n      w4');
    const tasks = await tsplay('run', site, '-i', inv, '--list-tasks', '--tags', 'files');
    expect(tasks.out).to.include('write a file per host\tTAGS: [files]');
    expect(tasks.out).not.to.include('late task');
    const tags = await tsplay('run', site, '-i', inv, '--list-tags');
    expect(tags.out).to.include('TASK TAGS: [files, late, setup]');
    expect(existsSync('/tmp/tsplay-e2e')).to.equal(false);
  });

  it('--json prints one document with plays, tasks, results and stats', async () => {
    const r = await tsplay('run', site, '-i', inv, '--json');
    const doc = JSON.parse(r.out) as {
      plays: { tasks: { task: { name: string }; hosts: Record<string, { status: string; censored?: string }> }[] }[];
      stats: Record<string, { ok: number; changed: number }>;
    };
    expect(doc.stats.w2).to.include({ ok: 5, changed: 2 });
    const secret = doc.plays[0]!.tasks.find((t) => t.task.name === 'a secret')!;
    expect(secret.hosts.w1!.censored).to.match(/no_log/);
    expect(r.out).not.to.include('s3cr3t-value');
  });

  it('max_fail_percentage stops the play and the playbook, as ansible-core does', async () => {
    const r = await tsplay('run', join(dir, 'maxfail.yml'), '-i', inv);
    expect(r.code).to.equal(2);
    expect(r.out).to.include('NO MORE HOSTS LEFT');
    expect(r.out).not.to.include('TASK [not reached]');
    expect(r.out).not.to.include('PLAY [the playbook has stopped]');
    expect(r.out).to.match(/w3\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=1/);
  });

  it('the free strategy runs every task on every host', async () => {
    const r = await tsplay('run', join(dir, 'free.yml'), '-i', inv);
    expect(r.code).to.equal(0);
    for (const h of ['w1', 'w2', 'w3', 'w4']) expect(r.out).to.match(new RegExp(`${h}\\s+: ok=2\\s+changed=1`));
  });

  it('under the free strategy a fast host runs ahead of a slow one; under linear it waits', async () => {
    // w1 sleeps in the first task; the others are done with both tasks long before it wakes.
    const order = async (strategy: string): Promise<string[]> => {
      rmSync('/tmp/tsplay-e2e', { recursive: true, force: true });
      mkdirSync('/tmp/tsplay-e2e', { recursive: true });
      const pb = join('/tmp/tsplay-e2e', `${strategy}.yml`);
      writeFileSync(
        pb,
        `- hosts: web\n  gather_facts: false\n  strategy: ${strategy}\n  tasks:\n` +
          `    - shell: "sleep {{ 1.5 if inventory_hostname == 'w1' else 0 }}; echo one-{{ inventory_hostname }} >> /tmp/tsplay-e2e/log"\n` +
          `    - shell: "echo two-{{inventory_hostname}} >> /tmp/tsplay-e2e/log"\n`,
      );
      const r = await tsplay('run', pb, '-i', inv);
      expect(r.code, r.out).to.equal(0);
      return readFileSync('/tmp/tsplay-e2e/log', 'utf8').trim().split('\n');
    };
    const free = await order('free');
    expect(free.indexOf('two-w2'), free.join(' ')).to.be.below(free.indexOf('one-w1'));
    const linear = await order('linear');
    expect(Math.max(...['w1', 'w2', 'w3', 'w4'].map((h) => linear.indexOf(`one-${h}`))), linear.join(' ')).to.be.below(
      Math.min(...['w1', 'w2', 'w3', 'w4'].map((h) => linear.indexOf(`two-${h}`))),
    );
  });

  it('the binary prints help and exits 0', async () => {
    const r = await execa('node', [BIN, 'run', '--help'], { reject: false });
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.include('--check').and.to.include('Exit codes');
  });

  it('an interrupt stops new tasks, ends the running command, prints the recap and exits 99', async () => {
    const child = execa('node', [BIN, 'run', join(dir, 'slow.yml')], { reject: false });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('TASK [wait]')) await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).to.equal(99);
    expect(Date.now() - t0).to.be.below(20000);
    expect(r.stdout).to.include('PLAY RECAP');
    expect(r.stdout).not.to.include('TASK [never]');
  });
});
