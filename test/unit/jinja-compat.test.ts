import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { pyStr } from '../../engine/template/python.js';
import { Scope } from '../../engine/template/scope.js';
import { render, renderJinjaFile, renderString } from '../../engine/template/templar.js';
import { PROJECT_ROOT } from '../../project.js';

/**
 * Jinja2 as ansible-playbook 2.14 renders it: test/fixtures/jinja/record.sh ran
 * every case of cases.yml as a debug msg and every template with the template
 * module; tsplay must produce the same values and the same bytes.
 */
const DIR = join(PROJECT_ROOT, 'test/fixtures/jinja');
const vars = parse(readFileSync(join(DIR, 'vars.yml'), 'utf8')) as Record<string, unknown>;
const cases = parse(readFileSync(join(DIR, 'cases.yml'), 'utf8')) as Record<string, string>;
const expected = JSON.parse(readFileSync(join(DIR, 'expected/values.json'), 'utf8')) as Record<string, unknown>;
const scope = () => new Scope([{ vars: { ...vars, inventory_hostname: 'localhost', playbook_dir: DIR } }], render);

describe('Jinja2 compared with ansible-playbook 2.14 (test/fixtures/jinja)', () => {
  before(() => {
    process.env.TSPLAY_JINJA_ENV = 'from-the-environment';
  });
  it('records at least 30 expression cases, each with a recorded value', () => {
    expect(Object.keys(cases).length).to.be.at.least(30);
    expect(Object.keys(expected).sort()).to.deep.equal(Object.keys(cases).sort());
  });
  for (const [name, value] of Object.entries(cases)) {
    it(`${name}: ${value.length > 70 ? `${value.slice(0, 67)}...` : value}`, () => {
      const ours = renderString(value, scope());
      const want = expected[name];
      // 2.14 makes a string of a single expression unless it reads as a list, dict or bool;
      // tsplay keeps the type (2.19's native types), so a number there is its text here.
      if (typeof want === 'string' && typeof ours !== 'string') expect(pyStr(ours)).to.equal(want);
      // ...and reads back text that looks like True, False, a list or a dict, which tsplay leaves as text.
      else if (typeof ours === 'string' && typeof want !== 'string') expect(ours).to.equal(pyStr(want));
      else expect(ours).to.deep.equal(want);
    });
  }
  it('keeps the native type of a single expression (ansible-core 2.19)', () => {
    expect(renderString(cases.length!, scope())).to.equal(2);
    expect(renderString(cases.string_filter!, scope())).to.equal('7');
    expect(renderString(cases.lookup_vars!, scope())).to.equal(7);
    expect(renderString(cases.namespace!, scope())).to.equal('True');
  });

  const tdir = join(DIR, 'templates');
  const load = (n: string) => readFileSync(join(tdir, n), 'utf8');
  const files = readdirSync(join(DIR, 'expected/templates'));
  it('records the templates', () => expect(files.length).to.equal(6));
  for (const out of files) {
    it(`template ${out} renders byte for byte`, () => {
      const lstrip = out === 'lstrip-on';
      const src = `${lstrip ? 'lstrip' : out}.j2`;
      const text = renderJinjaFile(load(src), scope().with({ ansible_managed: 'Ansible managed' }), { trimBlocks: true, lstripBlocks: lstrip }, load);
      expect(text).to.equal(readFileSync(join(DIR, 'expected/templates', out), 'utf8'));
    });
  }
});
