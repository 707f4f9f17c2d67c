import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PRECEDENCE, precedenceLayers, type VarSources } from '../../engine/plan/vars.js';
import { Scope, type Vars } from '../../engine/template/scope.js';
import { render } from '../../engine/template/templar.js';
import { tsplay } from '../helpers.js';

/** The levels, lowest first, each able to set the variable `p` in a small project. */
const LEVELS = [
  'role defaults',
  'inventory file all',
  'inventory file group',
  'group_vars/all',
  'group_vars/group',
  'inventory file host',
  'host_vars',
  'play vars',
  'vars_files',
  'role vars',
  'block vars',
  'task vars',
  'include_vars',
  'set_fact',
  'role params',
  'extra vars',
] as const;
type Level = (typeof LEVELS)[number];

function project(on: Set<Level>): { dir: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'prec-'));
  const w = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const v = (l: Level) => (on.has(l) ? `p: ${JSON.stringify(l)}\n` : '');
  w(
    'inv/hosts.yml',
    `all:\n  vars:\n    ansible_connection: local\n    ${v('inventory file all').trim() || 'x: 1'}\n  children:\n    g:\n      vars:\n        ${v('inventory file group').trim() || 'x: 1'}\n      hosts:\n        h:\n          ${v('inventory file host').trim() || 'x: 1'}\n`,
  );
  w('inv/group_vars/all.yml', v('group_vars/all') || 'x: 1\n');
  w('inv/group_vars/g.yml', v('group_vars/group') || 'x: 1\n');
  w('inv/host_vars/h.yml', v('host_vars') || 'x: 1\n');
  w('roles/r/defaults/main.yml', v('role defaults') || 'x: 1\n');
  w('roles/r/vars/main.yml', v('role vars') || 'x: 1\n');
  w('roles/r/vars/extra.yml', v('include_vars') || 'x: 1\n');
  w('vars.yml', v('vars_files') || 'x: 1\n');
  const ind = (s: string, n: number) =>
    s
      .split('\n')
      .filter(Boolean)
      .map((l) => ' '.repeat(n) + l)
      .join('\n');
  w(
    'roles/r/tasks/main.yml',
    [
      '- block:',
      '    - include_vars: extra.yml',
      ...(on.has('set_fact') ? ['    - set_fact:', '        p: set_fact'] : []),
      '    - name: show',
      '      debug:',
      '        msg: "{{p}}"',
      ...(on.has('task vars') ? ['      vars:', ind(v('task vars'), 8)] : []),
      ...(on.has('block vars') ? ['  vars:', ind(v('block vars'), 4)] : []),
      '',
    ].join('\n'),
  );
  w(
    'site.yml',
    `- hosts: h\n  gather_facts: false\n  vars:\n${ind(v('play vars') || 'x: 1', 4)}\n  vars_files: [vars.yml]\n  roles:\n    - role: r\n${on.has('role params') ? '      p: role params\n' : ''}`,
  );
  return { dir, args: on.has('extra vars') ? ['-e', 'p="extra vars"'] : [] };
}

describe('variable precedence, level by level', function () {
  this.timeout(30000);
  it('builds every scope from the documented order, each level beating the ones below it', () => {
    // One source per PRECEDENCE entry, in the order VarSources lists them; each sets p to its own entry.
    const names = PRECEDENCE;
    const layer = (i: number, upTo: number): Vars => (i <= upTo ? { p: names[i] } : {});
    for (let upTo = 0; upTo < names.length; upTo++) {
      const v = (i: number) => layer(i, upTo);
      const sources: VarSources = {
        roleDefaults: [{ vars: v(0) }],
        cliDefaults: v(1),
        inventory: { fileGroups: [{ vars: v(2) }], dirGroups: [{ vars: v(3) }], host: [{ vars: v(4) }] },
        facts: v(5),
        playVars: v(6),
        varsFiles: v(7),
        roleVars: v(8),
        blockVars: [v(9)],
        taskVars: v(10),
        includeVars: v(11),
        setFacts: v(12),
        params: v(13),
        extraVars: v(14),
        magic: v(15),
      };
      expect(Object.keys(sources)).to.have.length(names.length - 2); // inventory holds three levels
      const scope = new Scope(precedenceLayers(sources), render);
      expect(scope.lookup('p'), `with levels 0..${upTo} set`).to.equal(names[upTo]);
    }
  });
  LEVELS.forEach((level, i) => {
    it(`${level} beats everything below it`, async () => {
      const { dir, args } = project(new Set(LEVELS.slice(0, i + 1)));
      const r = await tsplay('run', join(dir, 'site.yml'), '-i', join(dir, 'inv'), '--json', ...args);
      expect(r.code, r.out + r.err).to.equal(0);
      const doc = JSON.parse(r.out) as { plays: { tasks: { task: { name: string }; hosts: Record<string, { msg?: string }> }[] }[] };
      const show = doc.plays[0]!.tasks.find((t) => t.task.name === 'r : show')!;
      expect(show.hosts.h!.msg).to.equal(level);
    });
  });
});
