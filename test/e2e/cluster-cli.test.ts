import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { ROOT } from '../helpers.js';

/** ezctl-style commands in a scratch copy of the project; --list-hosts keeps hosts untouched. */
describe('tsplay new / list / add-node / setup', function () {
  this.timeout(60000);
  const dir = mkdtempSync(join(tmpdir(), 'proj-'));
  const bin = join(ROOT, 'bin', 'tsplay.js');
  const t = (...args: string[]) => execa('node', [bin, ...args], { cwd: dir, reject: false });

  before(() => {
    for (const d of ['playbooks', 'roles']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
    mkdirSync(join(dir, 'inventories'));
    cpSync(join(ROOT, 'inventories', 'prod'), join(dir, 'inventories', 'prod'), { recursive: true });
  });

  it('new scaffolds a commented inventory from the prod example; list shows it', async () => {
    const r = await t('new', 'east');
    expect(r.exitCode, r.stderr).to.equal(0);
    const hosts = readFileSync(join(dir, 'inventories', 'east', 'hosts.yml'), 'utf8');
    expect(hosts).to.match(/^# Cluster 'east'/);
    expect(readFileSync(join(dir, 'inventories', 'east', 'group_vars', 'all.yml'), 'utf8')).to.include('container_runtime: containerd');
    expect((await t('new', 'east')).exitCode).to.not.equal(0);
    expect((await t('list')).stdout).to.match(/east\s+masters 3\s+nodes 3\s+lb 2/);
  });

  it('add-node puts the host in kube_node (comments kept) and limits the join to it', async () => {
    const r = await t('add-node', 'east', 'worker-09', '--ip', '192.168.10.29', '--list-hosts');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/pattern: \['kube_master\[0\]:kube_node'\]\n\s+hosts \(2\):\n\s+master-01\n\s+worker-09/);
    const hosts = readFileSync(join(dir, 'inventories', 'east', 'hosts.yml'), 'utf8');
    expect(hosts).to.match(/worker-09: \{ ansible_host: 192\.168\.10\.29, k8s_nodename: worker-09 \}/);
    expect(hosts).to.include('# k8s_nodename is the Kubernetes node name');
  });

  it('setup runs a step or all of them, with run options passed through', async () => {
    const step = await t('setup', 'east', 'runtime', '--list-tasks', '--tags', 'containerd');
    expect(step.stdout).to.include('02.runtime.yml').and.include('containerd : containerd installed');
    expect(step.stdout).not.to.include('docker : Docker installed');
    const all = await t('setup', 'east', 'all', '--list-tasks');
    expect(all.stdout).to.include('setup.yml').and.include('flannel : kube-flannel.yml rendered');
    expect((await t('setup', 'east', 'nonsense')).exitCode).to.equal(5);
  });
});
