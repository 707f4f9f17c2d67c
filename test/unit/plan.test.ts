import { expect } from 'chai';
import { serialBatches } from '../../engine/plan/hosts.js';
import { shouldRun } from '../../engine/plan/tags.js';
import { Scope } from '../../engine/template/scope.js';
import { render } from '../../engine/template/templar.js';

describe('tag selection (Ansible semantics)', () => {
  it('runs everything but never-tagged tasks by default', () => {
    expect(shouldRun([], [], [])).to.equal(true);
    expect(shouldRun(['a'], [], [])).to.equal(true);
    expect(shouldRun(['never'], [], [])).to.equal(false);
    expect(shouldRun(['never', 'debug'], [], [])).to.equal(false);
  });
  it('--tags selects by tag, always still runs, never runs only when named', () => {
    expect(shouldRun(['a'], ['a'], [])).to.equal(true);
    expect(shouldRun(['b'], ['a'], [])).to.equal(false);
    expect(shouldRun([], ['a'], [])).to.equal(false);
    expect(shouldRun(['always'], ['a'], [])).to.equal(true);
    expect(shouldRun(['never', 'debug'], ['debug'], [])).to.equal(true);
    expect(shouldRun(['never', 'debug'], ['a'], [])).to.equal(false);
  });
  it('--skip-tags wins, and skips always only by name', () => {
    expect(shouldRun(['a'], [], ['a'])).to.equal(false);
    expect(shouldRun(['always'], [], ['a'])).to.equal(true);
    expect(shouldRun(['always'], [], ['always'])).to.equal(false);
    expect(shouldRun(['a', 'b'], ['a'], ['b'])).to.equal(false);
  });
  it('tagged and untagged', () => {
    expect(shouldRun(['x'], ['tagged'], [])).to.equal(true);
    expect(shouldRun([], ['tagged'], [])).to.equal(false);
    expect(shouldRun([], ['untagged'], [])).to.equal(true);
    expect(shouldRun(['x'], ['untagged'], [])).to.equal(false);
  });
});

describe('serial batches', () => {
  const s = new Scope([{ vars: {} }], render);
  const hosts = ['a', 'b', 'c', 'd', 'e'];
  it('a number, a percentage, and a list whose last entry repeats', () => {
    expect(serialBatches(hosts, 2, s)).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(hosts, '40%', s)).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(hosts, [1, 3], s)).to.deep.equal([['a'], ['b', 'c', 'd'], ['e']]);
    expect(serialBatches(hosts, undefined, s)).to.deep.equal([hosts]);
  });
});
