import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LoadError } from '../../engine/load/errors.js';
import { loadInventory } from '../../engine/load/inventory.js';
import { loadPlaybook } from '../../engine/load/playbook.js';
import { parseYaml } from '../../engine/load/yaml.js';
import { loadModules } from '../../engine/modules/registry.js';
import type { ModuleSet } from '../../engine/modules/types.js';
import { evalCondition } from '../../engine/template/expr.js';
import { TemplateError } from '../../engine/template/filters.js';
import { Scope } from '../../engine/template/scope.js';
import { render } from '../../engine/template/templar.js';
import { FIXTURES } from '../helpers.js';

/**
 * A fuzzer of tsplay's own over the loader, the inventory parsers and the condition
 * grammar: bounded in count, one fixed seed and two fresh ones per run (printed, so a
 * failure can be replayed). The only acceptable failure is the stage's own error
 * (LoadError, TemplateError); any other exception is a crasher, saved in
 * test/fixtures/fuzz/ and replayed by every later run.
 */
const CRASHERS = join(FIXTURES, 'fuzz');
const CASES = 150;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random edits of a valid text with the characters its format cares about. */
function mutate(text: string, rnd: () => number, alphabet: string[]): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const piece = alphabet[Math.floor(rnd() * alphabet.length)]!;
    const kind = rnd();
    if (kind < 0.4) s = s.slice(0, at) + piece + s.slice(at);
    else if (kind < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
    else s = s.slice(0, at) + piece + s.slice(at + piece.length);
  }
  return s;
}

const YAML_BITS = [
  ':',
  ' ',
  '\n',
  '- ',
  '  ',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a',
  '*a',
  '!',
  '|',
  '>',
  '#',
  '{{',
  '}}',
  '<<: *a',
  '%',
  '@',
  '\t',
  'null',
  'yes',
  '0o7',
  '~',
  '?',
];
const INI_BITS = ['[', ']', ':', '=', ' ', '\n', 'children', 'vars', 'web', '[01:09]', '[a:c]', '#', ';', '"', "'", 'ansible_host=', '\t', ':22'];
const EXPR_BITS = [
  'a',
  'b.c',
  "'s'",
  '1',
  '2.5',
  ' and ',
  ' or ',
  ' not ',
  ' in ',
  ' is ',
  'defined',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '==',
  '!=',
  '<',
  '>=',
  '|',
  'default(1)',
  'length',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  ' if ',
  ' else ',
  'true',
  'None',
  '"x\\"',
  '.',
  'version(',
  "'1.2', '>')",
  'match(',
  '\\',
];

/** Runs one input; returns the crash message, or undefined when the stage behaved. */
function attempt(stage: string, input: string, modules: ModuleSet, dir: string): string | undefined {
  try {
    if (stage === 'yaml') parseYaml(input, 'fuzz.yml');
    else if (stage === 'playbook') {
      const f = join(dir, 'fuzz.yml');
      writeFileSync(f, input);
      loadPlaybook(f, { modules });
    } else if (stage === 'ini' || stage === 'inventory-yaml') {
      const f = join(dir, stage === 'ini' ? 'hosts' : 'hosts.yml');
      writeFileSync(f, input);
      loadInventory([f]);
    } else evalCondition(input, new Scope([{ vars: { a: 1, b: { c: [1, 2] }, s: 'x' } }], render));
    return undefined;
  } catch (e) {
    if (e instanceof LoadError || e instanceof TemplateError) return undefined;
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

function save(stage: string, input: string): string {
  const name = `${stage}-${createHash('sha1').update(input).digest('hex').slice(0, 12)}.txt`;
  writeFileSync(join(CRASHERS, name), input);
  return name;
}

describe('fuzzing the loader, the inventory parsers and the condition grammar', function () {
  this.timeout(120000);
  let modules: ModuleSet;
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  before(async () => {
    modules = await loadModules();
  });
  const seeds = [20261202, Math.floor(Math.random() * 2 ** 31), Math.floor(Math.random() * 2 ** 31)];
  const playbook = readFileSync(join(FIXTURES, 'ansible/playbooks/01-basics.yml'), 'utf8');
  const corpora: { stage: string; base: string; bits: string[] }[] = [
    { stage: 'yaml', base: playbook, bits: YAML_BITS },
    { stage: 'playbook', base: playbook, bits: YAML_BITS },
    { stage: 'ini', base: '[web]\nweb[01:03] ansible_host=10.0.0.1\n[db]\ndb1\n[all:children]\nweb\ndb\n[web:vars]\nx=1\n', bits: INI_BITS },
    {
      stage: 'inventory-yaml',
      base: 'all:\n  children:\n    web:\n      hosts:\n        web1: {ansible_host: 10.0.0.1}\n      vars: {x: 1}\n',
      bits: YAML_BITS,
    },
    { stage: 'condition', base: "a == 1 and b.c | length > 1 or s is defined and 'x' in s", bits: EXPR_BITS },
  ];

  it('replays every saved crasher without a crash', () => {
    for (const f of readdirSync(CRASHERS).filter((n) => n.endsWith('.txt'))) {
      const stage = f.replace(/-[0-9a-f]{12}\.txt$/, '');
      expect(attempt(stage, readFileSync(join(CRASHERS, f), 'utf8'), modules, dir), f).to.equal(undefined);
    }
  });

  for (const c of corpora) {
    it(`${c.stage}: ${CASES} mutations per seed (${seeds.join(', ')}) raise only the stage's own errors`, () => {
      const crashes: string[] = [];
      for (const seed of seeds) {
        const rnd = prng(seed);
        for (let i = 0; i < CASES; i++) {
          const input = mutate(c.base, rnd, c.bits);
          const crash = attempt(c.stage, input, modules, dir);
          if (crash) crashes.push(`${save(c.stage, input)} (seed ${seed}, case ${i}): ${crash}`);
        }
      }
      expect(crashes).to.deep.equal([]);
    });
  }
});
