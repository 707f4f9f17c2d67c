import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadModules, moduleNames, getModule } from '../modules/registry.js';

/** Commands beside `run`: module docs now; the lab and cluster shortcuts join here. */
export function registerExtraCommands(program: Command, run?: (pb: string, args: string[]) => Promise<number>): void {
  // ezctl-style shortcuts on top of `run`.
  program
    .command('new')
    .description('Scaffold inventories/CLUSTER from the prod example (hosts.yml and group_vars/all.yml, commented)')
    .argument('<cluster>')
    .action(async (name: string) => {
      const { newCluster } = await import('./cluster.js');
      process.stdout.write(`created ${newCluster(name)}: edit hosts.yml and group_vars/all.yml, then: tsplay setup ${name}\n`);
    });
  program
    .command('setup')
    .description('Run one step (00..06, or prepare, runtime, lb, kube-master, kube-node, network) or all of the cluster setup')
    .argument('<cluster>')
    .argument('[step]', 'a step, or all', 'all')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (name: string, step: string, _o: unknown, cmd: Command) => {
      const { STEPS, clusterDir, projectDir } = await import('./cluster.js');
      const file = STEPS[step];
      if (!file) {
        process.stderr.write(`unknown step '${step}': expected one of ${Object.keys(STEPS).join(', ')}\n`);
        process.exitCode = 5;
        return;
      }
      const extra = cmd.args.slice(2);
      process.exitCode = await run!(`${projectDir()}/playbooks/${file}`, ['-i', clusterDir(name), ...extra]);
    });
  program
    .command('add-node')
    .description('Add HOST to kube_node of CLUSTER and join it (runs playbooks/add-node.yml limited to it)')
    .argument('<cluster>')
    .argument('<host>')
    .option('--ip <address>', 'its address (ansible_host), if not the name')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (name: string, host: string, o: { ip?: string }, cmd: Command) => {
      const { addNodeToInventory, clusterDir, projectDir } = await import('./cluster.js');
      addNodeToInventory(name, host, o.ip);
      const extra = cmd.args.slice(2);
      process.exitCode = await run!(`${projectDir()}/playbooks/add-node.yml`, ['-i', clusterDir(name), '--limit', `kube_master[0]:${host}`, ...extra]);
    });
  program
    .command('list')
    .description('List the clusters in inventories/')
    .action(async () => {
      const { listClusters } = await import('./cluster.js');
      process.stdout.write(listClusters());
    });

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
