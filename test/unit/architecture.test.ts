import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../helpers.js';

/** The engine's sources, and the value imports of each (type-only imports vanish at run time). */
function importGraph(root: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(root);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of src.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.[^']+)'/gm))
      if (!m[1]) deps.push(resolve(dirname(f), m[2]!.replace(/\.js$/, '.ts')));
    for (const m of src.matchAll(/import\('(\.[^']+)'\)/g)) deps.push(resolve(dirname(f), m[1]!.replace(/\.js$/, '.ts')));
    graph.set(resolve(f), deps);
  }
  // The registry imports every module file of its folder by name at run time.
  const registry = resolve(root, 'modules/registry.ts');
  const modulesDir = resolve(root, 'modules');
  graph.set(registry, [...(graph.get(registry) ?? []), ...[...graph.keys()].filter((f) => dirname(f) === modulesDir && f !== registry)]);
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const visit = (n: string, stack: string[]): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d, stack);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n, []);
  return found;
}

describe('the engine as a house', () => {
  const engine = join(ROOT, 'engine');
  const graph = importGraph(engine);
  const rel = (p: string): string => relative(ROOT, p);

  it('has no import cycle (the registry counted as importing every module)', () => {
    expect(cycles(graph).map((c) => c.map(rel).join(' -> '))).to.deep.equal([]);
  });

  it('finds the cycle a checker must find (a self-test of the checker)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(cycles(g)).to.deep.equal([['a', 'b', 'c', 'a']]);
  });

  it('has no file over 400 lines, the generated parser aside', () => {
    const long = [...graph.keys()]
      .filter((f) => !readFileSync(f, 'utf8').startsWith('// @ts-nocheck -- generated'))
      .map((f) => ({ f: rel(f), n: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.n > 400);
    expect(long).to.deep.equal([]);
  });

  it('imports nothing from the lab, the bundle or the cluster commands, which ship beside it', () => {
    const outside = [...graph].flatMap(([f, deps]) => deps.filter((d) => !d.startsWith(`${engine}/`)).map((d) => `${rel(f)} -> ${rel(d)}`));
    expect(outside).to.deep.equal([]);
  });

  it('flows one way: the task runner and the modules never import the play walker or the CLI', () => {
    const above = ['execute/walk.ts', 'execute/play.ts', 'execute/run.ts', 'cli/'];
    const low = [...graph].filter(([f]) => /engine\/(execute\/(task|invoke|connect)\.ts|modules\/)/.test(f));
    const bad = low.flatMap(([f, deps]) => deps.filter((d) => above.some((a) => rel(d).startsWith(`engine/${a}`))).map((d) => `${rel(f)} -> ${rel(d)}`));
    expect(bad).to.deep.equal([]);
  });
});
