import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LoadError } from '../load/errors.js';
import { parseKvText } from '../load/kv.js';
import { isMapping, loadYamlFile } from '../load/yaml.js';
import type { Vars } from '../template/scope.js';

/** `-e k=v`, `-e @file.yml` and `-e '{"json": 1}'`, later ones winning, as ansible-playbook does. */
export function parseExtraVars(values: string[]): Vars {
  const out: Vars = {};
  for (const v of values) {
    if (v.startsWith('@')) {
      const file = v.slice(1);
      try {
        readFileSync(file);
      } catch {
        throw new LoadError([{ key: '-e', message: `extra vars file '${file}' not found` }]);
      }
      const data = loadYamlFile(file);
      if (data !== null && !isMapping(data)) throw new LoadError([{ key: '-e', message: `extra vars file '${file}' must hold a mapping` }]);
      Object.assign(out, data);
    } else if (/^\s*[{[]/.test(v)) {
      const data: unknown = parse(v);
      if (!isMapping(data)) throw new LoadError([{ key: '-e', message: `expected a mapping in '${v}'` }]);
      Object.assign(out, data);
    } else {
      const kv = parseKvText(v);
      if (kv._raw_params !== undefined) throw new LoadError([{ key: '-e', message: `expected key=value, @file or JSON, got '${v}'` }]);
      Object.assign(out, kv);
    }
  }
  return out;
}
