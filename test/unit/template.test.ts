import { expect } from 'chai';
import { evalCondition, evaluate } from '../../engine/template/expr.js';
import { TemplateError } from '../../engine/template/filters.js';
import { Scope } from '../../engine/template/scope.js';
import { render, renderHandlebars, renderJinjaFile, renderString } from '../../engine/template/templar.js';

const scope = (vars: Record<string, unknown>) => new Scope([{ vars }], render);

describe('templating YAML values (Jinja2)', () => {
  const s = scope({ a: 'x', n: 5, list: [1, 2, 3], cfg: { port: 6443, hosts: ['m1', 'm2'] }, ref: '{{ a }}-y', loop1: '{{ loop2 }}', loop2: '{{ loop1 }}' });
  it('renders text and keeps the type of a single expression', () => {
    expect(renderString('v={{ a }}', s)).to.equal('v=x');
    expect(renderString('{{ list }}', s)).to.deep.equal([1, 2, 3]);
    expect(renderString('{{ n }}', s)).to.equal(5);
    expect(renderString('{{ cfg.hosts }}', s)).to.deep.equal(['m1', 'm2']);
    expect(renderString('{{ list | length }}', s)).to.equal(3);
    expect(renderString('{{ n > 3 }}', s)).to.equal(true);
  });
  it('makes a string of an expression with anything around it, whitespace included (copy content keeps its newline)', () => {
    expect(renderString('{{ a }}\n', s)).to.equal('x\n');
    expect(renderString('{{ a }} \n', s)).to.equal('x \n');
    expect(renderString(' {{ n }}', s)).to.equal(' 5');
    expect(renderString('{{ n }}\n', s)).to.equal('5\n');
    expect(renderString('hosts: {{ cfg.hosts }}', s)).to.equal("hosts: ['m1', 'm2']");
  });
  it('renders variables lazily, through other variables', () => {
    expect(renderString('{{ ref }}', s)).to.equal('x-y');
  });
  it('has the filters cluster roles need', () => {
    expect(renderString('{{ missing | default("d") }}', s)).to.equal('d');
    expect(renderString('{{ cfg.hosts | join(",") }}', s)).to.equal('m1,m2');
    expect(renderString('{{ list | first }}-{{ list | last }}', s)).to.equal('1-3');
    expect(renderString('{{ a | upper }}{{ "Q" | lower }}', s)).to.equal('Xq');
    expect(renderString('{{ "a.b.c" | replace(".", "-") }}', s)).to.equal('a-b-c');
    expect(renderString("{{ 'v1.32.3' | regex_replace('^v([0-9]+)[.]([0-9]+).*', '\\1.\\2') }}", s)).to.equal('1.32');
    expect(renderString('{{ cfg | to_json }}', s)).to.equal('{"port": 6443, "hosts": ["m1", "m2"]}');
    expect(renderString('{{ "[1]" | from_json }}', s)).to.deep.equal([1]);
    expect(renderString('{{ "secret" | b64encode | b64decode }}', s)).to.equal('secret');
    expect(renderString('{{ "/etc/x.conf" | basename }} {{ "/etc/x.conf" | dirname }}', s)).to.equal('x.conf /etc');
    expect(renderString('{{ "it\'s" | quote }}', s)).to.equal(`'it'"'"'s'`);
    expect(renderString("{{ 'a/b/c'.split('/')[1] }}", s)).to.equal('b');
  });
  it('iterates and branches in .j2 files with trim_blocks', () => {
    expect(renderJinjaFile('{% for h in cfg.hosts %}\nserver {{ h }}:{{ cfg.port }}\n{% endfor %}\n', s)).to.equal('server m1:6443\nserver m2:6443\n');
    expect(renderJinjaFile('{% if a == "x" %}yes{% else %}no{% endif %}', s)).to.equal('yes');
  });
  it('names the undefined variable', () => {
    expect(() => renderString('{{ nope }}', s)).to.throw(TemplateError, /'nope' is undefined/);
    expect(() => renderString('x {{ cfg.nope }}', s)).to.throw(TemplateError, /has no attribute 'nope'/);
    expect(() => renderString('{{ nope | join(",") }}', s)).to.throw(TemplateError, /'nope' is undefined/);
  });
  it('detects recursive definitions', () => {
    expect(() => renderString('{{ loop1 }}', s)).to.throw(TemplateError, /recursive/);
  });
});

describe('templating .hbs files (Handlebars)', () => {
  const s = scope({ a: 'x', cfg: { port: 6443, hosts: ['m1', 'm2'] } });
  it('iterates and branches with the same filters as helpers', () => {
    expect(renderHandlebars('{{#each cfg.hosts}}server {{this}}:{{../cfg.port}}\n{{/each}}', s)).to.equal('server m1:6443\nserver m2:6443\n');
    expect(renderHandlebars('{{#if (eq a "x")}}yes{{else}}no{{/if}}', s)).to.equal('yes');
    expect(renderHandlebars('{{join cfg.hosts ","}} {{default missing "d"}}', s)).to.equal('m1,m2 d');
  });
  it('names the undefined variable', () => {
    expect(() => renderHandlebars('{{join nope ","}}', s)).to.throw(TemplateError, /'nope' is undefined/);
  });
});

describe('conditions (Ansible expressions)', () => {
  const s = scope({ n: 3, s: 'fast', l: [1, 2], d: { k: 'v', n: { x: 1 } }, yes: 'yes', r: { changed: true, failed: false, skipped: false, rc: 0 } });
  const t = (e: string) => evalCondition(e, s);
  it('compares and combines', () => {
    expect(t('n == 3 and s != "slow"')).to.equal(true);
    expect(t('n < 2 or n >= 3')).to.equal(true);
    expect(t('not n > 2')).to.equal(false);
    expect(t('(n + 1) * 2 == 8')).to.equal(true);
  });
  it('in, not in, attribute and index access', () => {
    expect(t('2 in l and 5 not in l')).to.equal(true);
    expect(t("'k' in d and d.k == 'v' and d['n'].x == 1 and l[-1] == 2")).to.equal(true);
    expect(t('"as" in s')).to.equal(true);
  });
  it('tests: defined, undefined, succeeded, failed, changed, skipped', () => {
    expect(t('n is defined and zz is undefined and zz is not defined')).to.equal(true);
    expect(t('r is succeeded and r is changed and r is not failed and r is not skipped')).to.equal(true);
  });
  it('filters: length, default, bool, int', () => {
    expect(t('l | length == 2')).to.equal(true);
    expect(t('(zz | default(4)) == 4')).to.equal(true);
    expect(t('yes | bool')).to.equal(true);
    expect(t('"42" | int > 40')).to.equal(true);
    expect(evaluate('[1, 2] | join("-")', s)).to.equal('1-2');
  });
  it('a list is a conjunction', () => {
    expect(evalCondition(['n == 3', 'l | length > 5'], s)).to.equal(false);
    expect(evalCondition(['n == 3', true], s)).to.equal(true);
  });
  it('undefined variables are errors, with the name', () => {
    expect(() => t('zz == 1')).to.throw(TemplateError, /'zz' is undefined/);
    expect(() => t('d.nope.x == 1')).to.throw(TemplateError, /'dict object' has no attribute 'nope'/);
  });
  it('syntax errors say where', () => {
    expect(() => t('n == ')).to.throw(TemplateError, /while templating 'n =='.*cannot parse expression at column/);
  });
});

describe('the condition parser', () => {
  it('is the one its grammar generates (npm run grammar after editing jinja.peggy)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('../helpers.js');
    const { generate } = (await import(join(ROOT, 'scripts/build-grammar.mjs'))) as { generate(g: string): string };
    const grammar = readFileSync(join(ROOT, 'engine/template/jinja.peggy'), 'utf8');
    expect(readFileSync(join(ROOT, 'engine/template/jinja-parser.ts'), 'utf8')).to.equal(generate(grammar));
  });
});
