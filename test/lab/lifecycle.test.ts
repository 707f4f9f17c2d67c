import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { ROOT } from '../helpers.js';

/**
 * `tsplay lab` as a user runs it, in a lab directory of its own (TSPLAY_LAB_DIR)
 * so it never disturbs the boot-mode lab the other tests share.
 */
describe('tsplay lab up / status / down (light mode, separate lab directory)', function () {
  this.timeout(120000);
  const labDir = mkdtempSync(join(tmpdir(), 'lab-'));
  const invDir = mkdtempSync(join(tmpdir(), 'labinv-'));
  const env = { ...process.env, TSPLAY_LAB_DIR: labDir, TSPLAY_LAB_INVENTORY_DIR: invDir };
  const tsplay = (...args: string[]) => execa('node', [join(ROOT, 'bin', 'tsplay.js'), ...args], { env, reject: false });
  const mounts = () =>
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(labDir)).length;

  after(async () => {
    await tsplay('lab', 'down');
  });

  it('brings hosts up, says how long it took, and writes the inventory in the cluster groups', async () => {
    const up = await tsplay('lab', 'up', '4', '--mode', 'light', '--masters', '2');
    expect(up.exitCode, up.stderr).to.equal(0);
    expect(up.stderr).to.match(/4 light host\(s\) up and answering over SSH in [\d.]+s/);
    const inv = readFileSync(join(invDir, 'hosts.yml'), 'utf8');
    expect(inv).to.match(/kube_master:\n\s+hosts:\n\s+lab1:[\s\S]*lab2:[\s\S]*kube_node:\n\s+hosts:\n\s+lab3:[\s\S]*lab4:/);
    const st = await tsplay('lab', 'status');
    expect(st.stdout.match(/running/g)).to.have.length(4);
    const pb = join(ROOT, 'test', 'fixtures', 'e2e', 'hostname.yml');
    const run = await tsplay('run', pb, '-i', invDir);
    expect(run.exitCode, run.stdout).to.equal(0);
    for (const h of ['lab1', 'lab2', 'lab3', 'lab4']) expect(run.stdout).to.include(`"msg": "${h}"`);
  });

  it('down stops everything and unmounts; twice is harmless', async () => {
    expect(mounts()).to.be.greaterThan(0);
    const down = await tsplay('lab', 'down');
    expect(down.exitCode).to.equal(0);
    expect(mounts()).to.equal(0);
    const procs = await execa('pgrep', ['-f', labDir], { reject: false });
    expect(procs.stdout.trim()).to.equal('');
    expect(existsSync(join(labDir, 'state.json'))).to.equal(false);
    const again = await tsplay('lab', 'down');
    expect(again.exitCode).to.equal(0);
    expect((await tsplay('lab', 'status')).stdout).to.include('not running');
  });

  it('up after a crash cleans the stale state first', async () => {
    const up = await tsplay('lab', 'up', '2', '--mode', 'light');
    expect(up.exitCode).to.equal(0);
    // Simulate a crash: kill the hosts' processes but leave mounts and state behind.
    await execa('pkill', ['-KILL', '-f', `${labDir}/`], { reject: false });
    expect(mounts()).to.be.greaterThan(0);
    const again = await tsplay('lab', 'up', '2', '--mode', 'light');
    expect(again.exitCode, again.stderr).to.equal(0);
    expect((await tsplay('lab', 'status')).stdout.match(/running/g)).to.have.length(2);
  });
});
