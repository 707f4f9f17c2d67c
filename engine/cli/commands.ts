import type { Command } from 'commander';
import { loadModules, moduleNames } from '../modules/registry.js';

/** `tsplay modules [NAME]`: the engine's own documentation of its modules. */
export function registerModuleCommands(program: Command): void {
  program
    .command('modules')
    .description('List the modules, or show one with its arguments.')
    .argument('[name]', 'a module name')
    .action(async (name?: string) => {
      const modules = await loadModules();
      if (!name) {
        for (const n of moduleNames(modules)) process.stdout.write(`${n.padEnd(18)} ${modules.get(n)!.description}\n`);
        return;
      }
      const m = modules.get(name);
      if (!m) {
        process.stderr.write(`unknown module '${name}'\n`);
        process.exitCode = 5;
        return;
      }
      process.stdout.write(`${m.name}: ${m.description}\n\n`);
      for (const [k, d] of Object.entries(m.args)) {
        const bits = [
          d.type,
          d.required ? 'required' : '',
          d.default !== undefined ? `default ${JSON.stringify(d.default)}` : '',
          d.choices ? `one of ${d.choices.join('|')}` : '',
          d.aliases?.length ? `aliases ${d.aliases.join(',')}` : '',
        ].filter(Boolean);
        process.stdout.write(`  ${k.padEnd(20)} ${bits.join('; ')}${d.description ? ` - ${d.description}` : ''}\n`);
      }
    });
}
