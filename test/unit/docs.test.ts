import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadModules, moduleNames } from '../../engine/modules/registry.js';
import { PRECEDENCE } from '../../engine/plan/vars.js';
import { ROOT } from '../helpers.js';

describe('README', () => {
  it('documents every module the registry finds', async () => {
    const modules = await loadModules();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Modules'), readme.indexOf('## The Kubernetes roles'));
    const missing = moduleNames(modules).filter((m) => !new RegExp(`[|,] ${m}[ ,]`).test(table));
    expect(missing, 'modules missing from the README table').to.deep.equal([]);
    expect(moduleNames(modules).length).to.be.greaterThan(40);
  });

  it('lists variable precedence exactly as the engine builds it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Variables'), readme.indexOf("This is ansible-core 2.14's order"));
    const listed = [...section.matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]);
    expect(listed).to.deep.equal([...PRECEDENCE]);
  });
});
