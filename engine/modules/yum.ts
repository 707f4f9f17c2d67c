import { rpmArgs, rpmOperation } from './dnf.js';
import { defineOperation } from './types.js';

/** Remote: yum, rpm (CentOS 7 and other yum hosts). */
export const module = defineOperation({
  name: 'yum',
  description: 'Installs, upgrades or removes RPM packages with yum.',
  args: rpmArgs,
  ...rpmOperation('yum'),
});
