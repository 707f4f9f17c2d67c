import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModules, moduleNames } from '../../engine/modules/registry.js';
import { ROOT } from '../helpers.js';

describe('README', () => {
  it('documents every module the registry finds', async () => {
    await loadModules();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Modules'), readme.indexOf('## The Kubernetes roles'));
    const missing = moduleNames().filter((m) => !new RegExp(`[|,] ${m}[ ,]`).test(table));
    expect(missing, 'modules missing from the README table').to.deep.equal([]);
    expect(moduleNames().length).to.be.greaterThan(40);
  });
});
