import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Module, ModuleSet } from './types.js';

const modules = new Map<string, Module>();

/**
 * Every file in this folder that exports `module` is a module, so adding one
 * is adding one file; nothing else lists them. The loader and the executor are
 * handed the set this returns; nothing reads it behind their backs.
 */
export async function loadModules(): Promise<ModuleSet> {
  if (modules.size) return modules;
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here).filter((f) => f.endsWith('.js') && !['registry.js', 'types.js', 'framework.js', 'args.js'].includes(f));
  const loaded = await Promise.all(files.map((f) => import(pathToFileURL(join(here, f)).href) as Promise<{ module?: Module }>));
  for (const m of loaded) {
    if (!m.module) continue;
    const short = [m.module.name, ...(m.module.aliases ?? [])];
    for (const n of [...short, ...short.map((s) => `ansible.builtin.${s}`), ...(m.module.fqcn ?? [])]) modules.set(n, m.module as Module);
  }
  return modules;
}

/** Each module once, by its own name (aliases and ansible.builtin.* names left out). */
export function moduleNames(set: ModuleSet): string[] {
  return [...new Set([...set.values()].map((m) => m.name))].sort();
}
