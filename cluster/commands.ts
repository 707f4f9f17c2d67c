import type { Command } from 'commander';

/** Runs a playbook through `tsplay run` with the given arguments; returns its exit code. */
export type RunPlaybook = (playbook: string, args: string[]) => Promise<number>;

/** kubeasz's ezctl shortcuts (new, setup, add-node, list) on top of `run`. */
export function registerClusterCommands(program: Command, run: RunPlaybook): void {
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
      process.exitCode = await run(`${projectDir()}/playbooks/${file}`, ['-i', clusterDir(name), ...extra]);
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
      process.exitCode = await run(`${projectDir()}/playbooks/add-node.yml`, ['-i', clusterDir(name), '--limit', `kube_master[0]:${host}`, ...extra]);
    });
  program
    .command('list')
    .description('List the clusters in inventories/')
    .action(async () => {
      const { listClusters } = await import('./cluster.js');
      process.stdout.write(listClusters());
    });
}
