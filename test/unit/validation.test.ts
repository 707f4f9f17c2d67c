import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { FIXTURES, ROOT, tsplay } from '../helpers.js';

describe('validation before any host is touched', () => {
  it('reports every problem together, each with file:line:col, the key and what was expected', async () => {
    const file = join(FIXTURES, 'broken', 'bad.yml');
    const r = await tsplay('run', file, '-i', 'nohost.invalid,');
    expect(r.code).to.equal(4);
    expect(r.out).to.equal('');
    const lines = r.err.trim().split('\n');
    expect(lines).to.have.length(6);
    expect(r.err).to.include(`${file}:6:7: 'no_such_module': couldn't resolve module/action 'no_such_module'`);
    expect(r.err).to.include(`${file}:9:7: 'creates_typo': unknown task keyword; expected one of: action,`);
    expect(r.err).to.include(`${file}:12:7: 'whn': unknown task keyword`);
    expect(r.err).to.include(`${file}:16:9: 'checksum_algorithm': stat: expected one of sha1, sha256, md5, got "crc32"`);
    expect(r.err).to.match(/bad\.yml:17:7: 'include_tasks': task file 'nowhere\.yml' not found/);
    expect(r.err).to.match(/bad\.yml:20:7: 'no_such_role': the role 'no_such_role' was not found/);
  });

  it('reports YAML syntax errors with their position', async () => {
    const file = join(FIXTURES, 'broken', 'syntax.yml');
    const r = await tsplay('run', file, '--syntax-check');
    expect(r.code).to.equal(4);
    expect(r.err).to.match(new RegExp(`${file.replace(/[.]/g, '\\.')}:4:\\d+: YAML syntax error`));
  });

  it('bad options exit 5, as ansible-playbook does (the real binary, so main.ts decides the code)', async () => {
    for (const bad of [['--forks', 'zero'], ['--no-such-option'], ['-c', 'telnet']]) {
      const r = await execa('node', [join(ROOT, 'bin/tsplay.js'), 'run', 'x.yml', ...bad], { reject: false });
      expect(r.exitCode, `${bad.join(' ')}: ${r.stderr}`).to.equal(5);
      expect(r.stderr).to.match(/error: /);
    }
  });

  it('a missing playbook is an error naming it', async () => {
    const r = await tsplay('run', '/nonexistent/site.yml');
    expect(r.code).to.equal(4);
    expect(r.err).to.include('/nonexistent/site.yml could not be found');
  });
});
