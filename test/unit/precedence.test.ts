import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRECEDENCE } from '../../engine/plan/vars.js';
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
  w('inv/hosts.yml', `all:\n  vars:\n    ansible_connection: local\n    ${v('inventory file all').trim() || 'x: 1'}\n  children:\n    g:\n      vars:\n        ${v('inventory file group').trim() || 'x: 1'}\n      hosts:\n        h:\n          ${v('inventory file host').trim() || 'x: 1'}\n`);
  w('inv/group_vars/all.yml', v('group_vars/all') || 'x: 1\n');
  w('inv/group_vars/g.yml', v('group_vars/group') || 'x: 1\n');
  w('inv/host_vars/h.yml', v('host_vars') || 'x: 1\n');
  w('roles/r/defaults/main.yml', v('role defaults') || 'x: 1\n');
  w('roles/r/vars/main.yml', v('role vars') || 'x: 1\n');
  w('roles/r/vars/extra.yml', v('include_vars') || 'x: 1\n');
  w('vars.yml', v('vars_files') || 'x: 1\n');
  const ind = (s: string, n: number) => s.split('\n').filter(Boolean).map((l) => ' '.repeat(n) + l).join('\n');
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
  it('documents the order it implements', () => {
    expect(PRECEDENCE[0]).to.match(/role defaults/);
    expect(PRECEDENCE.at(-1)).to.match(/extra vars/);
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
