import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LoadError } from '../../engine/load/errors.js';
import { loadInventory } from '../../engine/load/inventory.js';
import { parseYaml } from '../../engine/load/yaml.js';
import { tsplay } from '../helpers.js';

/** The problems a LoadError carries, as `line: message`. */
function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof LoadError) return e.problems.map((p) => `${p.loc?.line ?? '?'}: ${p.message}`);
    throw e;
  }
  return [];
}

function inventory(name: string, text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'inv-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return problemsOf(() => loadInventory([file]));
}

describe('hostile input to the loader (issue 15)', () => {
  it('1: nested aliases ("billion laughs") are refused quickly, naming the file and line', () => {
    const lines = ['- hosts: localhost', '  vars:', '    a0: &a0 "lol"'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `    a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const problems = problemsOf(() => parseYaml(`${lines.join('\n')}\n`, 'laughs.yml'));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^\d+: YAML aliases expand to more than 1000000 nodes/);
  });

  it('1: aliases used the ordinary way still load', () => {
    const v = parseYaml('base: &b {a: 1}\nx: *b\ny: {<<: *b, c: 2}\n', 'ok.yml') as Record<string, unknown>;
    expect(v).to.deep.equal({ base: { a: 1 }, x: { a: 1 }, y: { a: 1, c: 2 } });
  });

  it('6: 10,000 nested block mappings or flow lists are a clear error, not a stack overflow', () => {
    const block = `${Array.from({ length: 10000 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')}\n`;
    const flow = `x: ${'['.repeat(10000)}${']'.repeat(10000)}\n`;
    for (const text of [block, flow]) {
      const problems = problemsOf(() => parseYaml(text, 'deep.yml'));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/nested (too deeply|more than 400 levels)/);
      expect(problems[0]).not.to.match(/call stack/);
    }
    // Below the parser's own limit, tsplay's depth limit speaks.
    expect(problemsOf(() => parseYaml(`x: ${'['.repeat(450)}${']'.repeat(450)}\n`, 'deep.yml'))[0]).to.match(/nested more than 400 levels/);
  });

  it('8: an unclosed quote is reported on the line where it opens', () => {
    const text = '- hosts: localhost\n  tasks:\n    - debug:\n        msg: "unclosed\n    - debug: msg=two\n    - debug: msg=three\n';
    expect(problemsOf(() => parseYaml(text, 'q.yml'))).to.deep.equal(['4: YAML syntax error: this "quote is never closed']);
  });

  it('8: `- localhost` as a play is an error with file:line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-'));
    writeFileSync(join(dir, 'site.yml'), '- hosts: localhost\n  tasks: []\n- localhost\n');
    const r = await tsplay('run', join(dir, 'site.yml'), '-i', 'localhost,');
    expect(r.code).to.equal(4);
    expect(r.err).to.include(`${join(dir, 'site.yml')}:3:3: expected a play as a mapping (hosts:, tasks:, ...), got 'localhost'`);
  });

  it('3: inventory typos are load errors with file:line, not hosts', () => {
    expect(inventory('hosts', '[web\nnode1\n')).to.deep.equal([
      "1: a section header must be '[group]', '[group:vars]' or '[group:children]': the closing ']' is missing",
    ]);
    expect(inventory('hosts', '[web]\nnode[01:]\n')[0]).to.match(/^2: invalid host range 'node\[01:\]'/);
    expect(inventory('hosts', '[web]\nnode[1-3]\n')[0]).to.match(/^2: invalid host range 'node\[1-3\]'/);
    expect(inventory('hosts', '[web]\nnode[09:01]\n')[0]).to.match(/^2: host range 'node\[09:01\]' is empty/);
    expect(inventory('hosts', '[a:children]\nb\n[b:children]\na\n')[0]).to.match(/^\d: groups cannot contain each other: (a -> b -> a|b -> a -> b)/);
    expect(inventory('hosts.yml', 'all:\n  children:\n    a:\n      children:\n        b:\n    b:\n      children:\n        a:\n')[0]).to.match(
      /groups cannot contain each other/,
    );
    // What is right stays right.
    expect(inventory('hosts', '[web]\nnode[01:03]\n[all:children]\nweb\n')).to.deep.equal([]);
  });

  it('3: an inventory typo exits 4 before any host is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inv-'));
    writeFileSync(join(dir, 'hosts'), '[web\nnode1\n');
    writeFileSync(join(dir, 'site.yml'), '- hosts: all\n  tasks: []\n');
    const r = await tsplay('run', join(dir, 'site.yml'), '-i', join(dir, 'hosts'));
    expect(r.code).to.equal(4);
    expect(r.err).to.include(`${join(dir, 'hosts')}:1:1`);
  });
});
