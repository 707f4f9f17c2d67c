import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadModules, moduleNames, getModule } from '../modules/registry.js';

/** Commands beside `run`: module docs now; the lab and cluster shortcuts join here. */
export function registerExtraCommands(program: Command): void {
  const lab = program.command('lab').description('A lab of real local Linux hosts (root needed): boot mode runs systemd in each, light mode only sshd.');
  lab
    .command('up')
    .description('Start N fresh hosts (lab1..labN), wait until each answers over SSH, write inventories/lab/hosts.yml')
    .argument('[count]', 'number of hosts', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
      return n;
    }, 3)
    .addOption(new Option('--mode <mode>', 'boot: systemd as PID 1 (apt, systemctl, sysctl work); light: sshd only, for scale').choices(['boot', 'light']).default('boot'))
    .option('--masters <n>', 'how many of the first hosts go in kube_master', (v: string) => Number(v), 1)
    .option('--lb <n>', 'how many of the last hosts go in lb (HAProxy, keepalived) instead of kube_node', (v: string) => Number(v), 0)
    .action(async (count: number, o: { mode: 'boot' | 'light'; masters: number; lb: number }) => {
      const { labUp } = await import('../lab/lab.js');
      await labUp({ count, mode: o.mode, masters: o.masters, lbs: o.lb });
    });
  lab
    .command('down')
    .description('Stop every lab process, unmount everything and remove the lab network (harmless when nothing runs)')
    .action(async () => {
      const { labDown } = await import('../lab/lab.js');
      await labDown((s) => process.stderr.write(s));
    });
  lab
    .command('status')
    .description('Show the lab hosts and whether they run')
    .action(async () => {
      const { labStatus } = await import('../lab/lab.js');
      process.stdout.write(await labStatus());
    });

  program
    .command('modules')
    .description('List the modules, or show one with its arguments.')
    .argument('[name]', 'a module name')
    .action(async (name?: string) => {
      await loadModules();
      if (!name) {
        for (const n of moduleNames()) process.stdout.write(`${n.padEnd(18)} ${getModule(n)!.description}\n`);
        return;
      }
      const m = getModule(name);
      if (!m) {
        process.stderr.write(`unknown module '${name}'\n`);
        process.exitCode = 5;
        return;
      }
      process.stdout.write(`${m.name}: ${m.description}\n\n`);
      for (const [k, d] of Object.entries(m.args)) {
        const bits = [d.type, d.required ? 'required' : '', d.default !== undefined ? `default ${JSON.stringify(d.default)}` : '', d.choices ? `one of ${d.choices.join('|')}` : '', d.aliases?.length ? `aliases ${d.aliases.join(',')}` : ''].filter(Boolean);
        process.stdout.write(`  ${k.padEnd(20)} ${bits.join('; ')}${d.description ? ` - ${d.description}` : ''}\n`);
      }
    });
}
