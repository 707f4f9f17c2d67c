import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkArgs } from '../../../engine/modules/args.js';
import { loadModules, moduleNames } from '../../../engine/modules/registry.js';
import type { ModuleSet, Operation } from '../../../engine/modules/types.js';
import { ROOT } from '../../helpers.js';
import { CASES } from './cases.js';

interface Recorded {
  name: string;
  command: string;
  rc: number;
  stdout: string;
  stderr: string;
}

const recorded = (m: string): Recorded[] => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/probes', `${m}.json`), 'utf8')) as Recorded[];

/** Each operation module decides from recorded probe output alone: no host, no connection. */
describe('module decisions from recorded probes', () => {
  let modules: ModuleSet;
  before(async () => {
    modules = await loadModules();
  });

  it('every operation module has recorded cases', async () => {
    const ops = moduleNames(modules).filter((n) => modules.get(n)!.kind === 'operation');
    const covered = new Set(CASES.map((c) => c.module));
    expect(
      ops.filter((n) => !covered.has(n)),
      'operations without fixture cases',
    ).to.deep.equal([]);
  });

  for (const c of CASES) {
    it(`${c.module}: ${c.name}`, () => {
      const mod = modules.get(c.module) as Operation<object, unknown, unknown, unknown>;
      const rec = recorded(c.module).find((r) => r.name === c.name);
      expect(rec, 'recorded probe (run record-probes)').to.not.equal(undefined);
      const checked = checkArgs(mod, c.args, false);
      expect(checked.errors).to.deep.equal([]);
      const prep = c.prep?.();
      const mode = { check: false, diff: true, host: 'fixture' };
      const probe = mod.probe(checked.args, prep, mode);
      expect(probe.command, 'the probe changed since it was recorded: run record-probes').to.equal(rec!.command);
      const plan = mod.plan(probe.parse(rec!), checked.args, prep, mode) as {
        action: string;
        msg?: string;
        changes?: string[];
        data?: Buffer | { content?: Buffer; file?: { content?: Buffer } };
        result?: { msg?: unknown };
      };
      expect(plan.action, JSON.stringify(plan.action === 'fail' ? plan.msg : plan.changes)).to.equal(c.expect.action);
      if (c.expect.content !== undefined) {
        const d = plan.data;
        const bytes = Buffer.isBuffer(d) ? d : (d?.content ?? d?.file?.content);
        expect(bytes?.toString('utf8')).to.equal(c.expect.content);
      }
      if (c.expect.changes) {
        expect(plan.changes).to.have.length(c.expect.changes.length);
        for (const [i, want] of c.expect.changes.entries()) {
          // A change is matched literally, or as a regular expression when written as one (^...$).
          const pattern = want.startsWith('^') ? want.slice(1, -1) : want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          expect(plan.changes![i]).to.match(new RegExp(`^${pattern}$`));
        }
      }
      if (c.expect.msg !== undefined) {
        const msg = String(plan.action === 'fail' ? plan.msg : plan.result?.msg);
        if (typeof c.expect.msg === 'string') expect(msg).to.equal(c.expect.msg);
        else expect(msg).to.match(c.expect.msg);
      }
    });
  }
});
