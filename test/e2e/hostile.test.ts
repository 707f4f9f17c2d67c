import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { ROOT, tsplay } from '../helpers.js';

/**
 * Hostile values (issue 15, item 10): each holds a command substitution, backticks,
 * quotes, ';' and a newline, each trying to create a marker file. Every module gets
 * them in its string arguments, over the local connection, first in check mode (the
 * probes) and, where it is safe on this machine, for real (the changes). No marker
 * may appear.
 */
describe('hostile values never run as commands (every module)', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
  const marks = join(dir, 'marks');
  const work = join(dir, 'work');
  const H = [
    `x$(touch ${marks}/dollar)`,
    `x\`touch ${marks}/backtick\``,
    `x'; touch ${marks}/single; '`,
    `x"; touch ${marks}/double; "`,
    `x\ntouch ${marks}/newline\n`,
    `x;touch ${marks}/semicolon`,
  ];
  const h = (i: number): string => H[i % H.length]!;
  const p = (i: number): string => `${work}/${h(i).replace(/\n/g, ' ')}`;

  /** One task per module, hostile values where a value reaches the host; `real` ones also run without --check. */
  const tasks = (): { task: Record<string, unknown>; real: boolean }[] => [
    { real: true, task: { copy: { content: h(0), dest: p(1), mode: '0644' } } },
    { real: true, task: { template: { src: `${dir}/t.j2`, dest: p(2) } } },
    { real: true, task: { lineinfile: { path: p(3), line: h(4), regexp: '^x', create: true } } },
    { real: true, task: { blockinfile: { path: p(5), block: h(0), marker: `# {mark} ${h(1)}`, create: true } } },
    { real: true, task: { ini_file: { path: p(4), section: h(5), option: h(0), value: h(1) } } },
    { real: true, task: { replace: { path: `${work}/plain`, regexp: 'a', replace: h(2) } } },
    { real: true, task: { file: { path: p(0), state: 'directory', mode: '0755' } } },
    { real: true, task: { file: { path: p(3), src: h(4), state: 'link', force: true } } },
    { real: true, task: { stat: { path: p(5) } } },
    { real: true, task: { slurp: { src: p(1) } } },
    { real: true, task: { find: { paths: [work], patterns: [h(0)], contains: h(1) } } },
    { real: true, task: { command: { argv: ['echo', h(2), h(3), h(4)] } } },
    { real: true, task: { command: { cmd: 'true', creates: p(5), chdir: work } } },
    { real: true, task: { sysctl: { name: h(0), value: h(1), sysctl_file: p(2), ignoreerrors: true } } },
    { real: true, task: { cron: { name: h(3), job: h(4), cron_file: p(5) } } },
    { real: true, task: { get_url: { url: `http://127.0.0.1:9/${h(0)}`, dest: p(1), headers: { 'X-A': h(2) } } } },
    { real: true, task: { unarchive: { src: `${p(3)}.tgz`, dest: work, remote_src: true, creates: p(4) } } },
    { real: true, task: { fetch: { src: p(1), dest: `${dir}/fetched/`, flat: true } } },
    { real: true, task: { wait_for: { path: p(1), timeout: 1, search_regex: h(5) } } },
    { real: true, task: { uri: { url: `http://127.0.0.1:9/${h(0)}`, headers: { 'X-A': h(1) }, user: h(2), password: h(3), status_code: [-1, 200] } } },
    { real: true, task: { apt_key: { data: h(0), keyring: p(1) } } },
    { real: true, task: { yum_repository: { name: 'r', description: h(2), baseurl: h(3), reposdir: work } } },
    { real: true, task: { mount: { path: p(4), src: h(5), fstype: 'tmpfs', opts: h(0), state: 'present', fstab: `${work}/fstab` } } },
    { real: true, task: { selinux: { state: 'permissive', configfile: p(1) } } },
    { real: true, task: { dnf: { name: [h(2)] } } },
    { real: true, task: { yum: { name: [h(3)] } } },
    { real: false, task: { apt: { name: [h(0)] } } },
    { real: false, task: { package: { name: [h(1)], use: 'apt' } } },
    { real: false, task: { apt_repository: { repo: `deb ${h(2)} /`, filename: 'tsplay-hostile', update_cache: false } } },
    { real: false, task: { dpkg_selections: { name: h(3), selection: 'hold' } } },
    { real: false, task: { systemd: { name: h(4), state: 'started' } } },
    { real: false, task: { service: { name: h(5), state: 'started' } } },
    { real: false, task: { user: { name: h(0), shell: h(1), comment: h(2), home: p(3) } } },
    { real: false, task: { group: { name: h(4) } } },
    { real: false, task: { timezone: { name: h(5) } } },
    { real: false, task: { ufw: { state: 'disabled' } } },
    { real: false, task: { firewalld: { state: 'disabled' } } },
  ];

  const run = async (check: boolean, list: Record<string, unknown>[]): Promise<string> => {
    const pb = join(dir, `pb-${check}.yml`);
    const withIgnore = list.map((t) => ({ ...t, ignore_errors: true }));
    writeFileSync(pb, stringify([{ hosts: 'localhost', gather_facts: false, tasks: withIgnore }]));
    const r = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local', ...(check ? ['--check'] : []));
    expect(r.err, r.err).not.to.match(/ERROR!/);
    return r.out;
  };

  before(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const d of [marks, work]) mkdirSync(d, { recursive: true });
    writeFileSync(join(dir, 't.j2'), 'rendered\n');
    writeFileSync(join(work, 'plain'), 'a\n');
  });

  it('covers every module but those whose job is to run commands or that run on the controller', async () => {
    const { loadModules, moduleNames } = await import('../../engine/modules/registry.js');
    const covered = new Set(tasks().map((t) => Object.keys(t.task)[0]));
    const byDesign = new Set(['shell', 'raw', 'debug', 'set_fact', 'assert', 'fail', 'meta', 'pause', 'include_vars', 'ping', 'setup', 'hostname', 'modprobe']);
    expect(moduleNames(await loadModules()).filter((m) => !covered.has(m) && !byDesign.has(m))).to.deep.equal([]);
  });

  it('in check mode (every probe), then for real where that is safe here (every change)', async () => {
    const all = tasks();
    const checked = await run(
      true,
      all.map((t) => t.task),
    );
    expect(checked).to.include('PLAY RECAP');
    const real = await run(
      false,
      all.filter((t) => t.real).map((t) => t.task),
    );
    expect(real).to.include('PLAY RECAP');
    expect(readdirSync(marks)).to.deep.equal([]);
    // The hostile names are files, literally: the quotes, dollars and newline-free names stand as written.
    expect(existsSync(p(1))).to.equal(true);
  });

  it('hostname and modprobe refuse such names before any host is touched', async () => {
    for (const task of [{ hostname: { name: h(0) } }, { modprobe: { name: h(1) } }]) {
      const pb = join(dir, 'refuse.yml');
      writeFileSync(pb, stringify([{ hosts: 'localhost', gather_facts: false, tasks: [task] }]));
      const r = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local');
      expect(r.code, r.out + r.err).to.equal(4);
    }
    expect(readdirSync(marks)).to.deep.equal([]);
  });
});

describe('names with newlines, quotes and other legal bytes (issue 15, item 4)', () => {
  it('find lists them, stat and copy handle them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'names-'));
    const odd = ['new\nline', "quote'single", 'quote"double', 'pipe|bar', 'dollar$(x)', 'tab\tname', ' lead space'];
    for (const n of odd) writeFileSync(join(dir, n), 'x\n');
    const pb = join(dir, '..', `names-${Date.now()}.yml`);
    writeFileSync(
      pb,
      stringify([
        {
          hosts: 'localhost',
          gather_facts: false,
          tasks: [
            { find: { paths: [dir], hidden: true }, register: 'found' },
            { copy: { content: 'y\n', dest: join(dir, 'new\nline') } },
            { stat: { path: join(dir, 'new\nline') }, register: 'st' },
            { debug: { msg: '{{ found.files | to_json }}' } },
            { debug: { msg: '{{st.stat.size}}' } },
          ],
        },
      ]),
    );
    const r = await tsplay('run', pb, '-i', 'localhost,', '-c', 'local', '--json');
    expect(r.code, r.out + r.err).to.equal(0);
    const doc = JSON.parse(r.out) as { plays: { tasks: { hosts: { localhost: { msg?: string } } }[] }[] };
    const files = JSON.parse(doc.plays[0]!.tasks[3]!.hosts.localhost.msg!) as { path: string }[];
    expect(files.map((f) => f.path.slice(dir.length + 1)).sort()).to.deep.equal([...odd].sort());
    expect(String(doc.plays[0]!.tasks[4]!.hosts.localhost.msg)).to.equal('2');
  });
});

describe('interrupts while loading (issue 15, item 9)', () => {
  it('SIGTERM while a large playbook loads ends the process at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'big-'));
    const tasks = Array.from({ length: 40000 }, (_, i) => `    - name: t${i}\n      debug: {msg: "n{{inventory_hostname}}${i}"}\n      tags: [a, b]\n`).join(
      '',
    );
    writeFileSync(join(dir, 'big.yml'), `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`);
    const child = execa('node', [join(ROOT, 'bin/tsplay.js'), 'run', join(dir, 'big.yml'), '-c', 'local', '-i', 'localhost,'], { reject: false });
    await new Promise((r) => setTimeout(r, 700));
    child.kill('SIGTERM');
    const r = await child;
    // Caught and ignored until loading ends, the run would go on and exit 99 after its recap.
    expect(r.signal, `exit ${r.exitCode}: ${r.stdout.slice(-300)}`).to.equal('SIGTERM');
    expect(r.stdout).not.to.include('PLAY RECAP');
  });
});
