import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LoadError } from '../../engine/load/errors.js';
import { expandHostRange, loadInventory } from '../../engine/load/inventory.js';
import { matchHosts } from '../../engine/plan/patterns.js';
import { FIXTURES } from '../helpers.js';

const inv = join(FIXTURES, 'inventory');

describe('inventory', () => {
  it('expands host ranges with padding, letters and steps', () => {
    expect(expandHostRange('node[01:03]')).to.deep.equal(['node01', 'node02', 'node03']);
    expect(expandHostRange('web[a:c].x')).to.deep.equal(['weba.x', 'webb.x', 'webc.x']);
    expect(expandHostRange('n[0:6:3]')).to.deep.equal(['n0', 'n3', 'n6']);
  });

  it('reads a kubeasz INI inventory: literal host vars, string group vars, children', () => {
    const i = loadInventory([join(inv, 'kubeasz', 'hosts')]);
    expect(i.hostsOf('kube_master')).to.deep.equal(['192.168.1.1', '192.168.1.2']);
    expect(i.hosts.get('192.168.1.1')!.fileVars.k8s_nodename).to.equal('master-01');
    expect(i.hosts.get('192.168.1.2')!.fileVars.weight).to.equal(10);
    expect(i.hostsOf('k8s')).to.include.members(['192.168.1.3', 'node01.example.com', 'node03.example.com']);
    expect(i.groups.get('all')!.fileVars.SECURE_PORT).to.equal('6443');
    expect(i.groupNames('192.168.1.1')).to.deep.equal(['etcd', 'k8s', 'kube_master']);
    expect(i.hosts.get('192.168.1.6')!.fileVars.LB_ROLE).to.equal('backup');
  });

  it('reads a directory: every inventory file plus group_vars/ and host_vars/ (files and folders)', () => {
    const i = loadInventory([join(inv, 'dir')]);
    expect([...i.hosts.keys()].sort()).to.deep.equal(['lb1', 'm1', 'w1', 'w2']);
    expect(i.groups.get('all')!.dirVars.cluster).to.equal('demo');
    expect(i.groups.get('kube_node')!.dirVars).to.deep.equal({ role_a: 'node', role_b: 'node-b' });
    expect(i.hosts.get('w1')!.dirVars.special).to.equal(true);
    expect(i.hosts.get('lb1')!.fileVars.ansible_host).to.equal('10.0.0.9');
  });

  it('merges several -i sources', () => {
    const i = loadInventory([join(inv, 'dir'), join(inv, 'kubeasz', 'hosts')]);
    expect(i.hostsOf('kube_master')).to.deep.equal(['m1', '192.168.1.1', '192.168.1.2']);
  });

  it('reports bad YAML inventory keys with file:line', () => {
    const d = mkdtempSync(join(tmpdir(), 'inv-'));
    writeFileSync(join(d, 'h.yml'), 'all:\n  hosts:\n    a: {}\n  childs:\n    x: {}\n');
    try {
      loadInventory([join(d, 'h.yml')]);
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(LoadError);
      expect((e as Error).message).to.match(/h\.yml:4:3: 'childs': unknown group key/);
    }
  });
});

describe('host patterns', () => {
  const i = loadInventory([join(inv, 'kubeasz', 'hosts')]);
  const m = (p: string) => matchHosts(p, i);
  it('all, groups and hosts', () => {
    expect(m('all')).to.have.length(7);
    expect(m('kube_master')).to.deep.equal(['192.168.1.1', '192.168.1.2']);
    expect(m('192.168.1.3')).to.deep.equal(['192.168.1.3']);
  });
  it('union, intersection and exclusion in Ansible order', () => {
    expect(m('kube_master:kube_node')).to.have.length(6);
    expect(m('etcd,ex_lb')).to.deep.equal(['192.168.1.1', '192.168.1.2', '192.168.1.6']);
    expect(m('k8s:&etcd')).to.deep.equal(['192.168.1.1', '192.168.1.2']);
    expect(m('!etcd:k8s')).to.deep.equal(['192.168.1.3', 'node01.example.com', 'node02.example.com', 'node03.example.com']);
  });
  it('wildcards, regex and index', () => {
    expect(m('node*.example.com')).to.have.length(3);
    expect(m('~node0[12]')).to.deep.equal(['node01.example.com', 'node02.example.com']);
    expect(m('kube_node[0]')).to.deep.equal(['192.168.1.3']);
    expect(m('kube_node[1:2]')).to.deep.equal(['node01.example.com', 'node02.example.com']);
    expect(m('kube_node[-1]')).to.deep.equal(['node03.example.com']);
  });
  it('@file reads a retry file', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'retry-')), 'x.retry');
    writeFileSync(f, '192.168.1.2\nnode02.example.com\n');
    expect(m(`@${f}`)).to.deep.equal(['192.168.1.2', 'node02.example.com']);
  });
});
