import { defineModule } from './types.js';
import { rpmArgs, rpmRun, type RpmArgs } from './dnf.js';

/** Remote: yum, rpm (CentOS 7 and other yum hosts). */
export const module = defineModule<RpmArgs>({
  name: 'yum',
  description: 'Installs, upgrades or removes RPM packages with yum.',
  args: rpmArgs,
  checkMode: 'predict',
  run: (args, ctx) => rpmRun('yum', args, ctx),
});
