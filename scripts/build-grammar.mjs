// Builds the Jinja parser from its grammar ahead of time, so no process
// compiles a grammar at start: node scripts/build-grammar.mjs (npm run grammar).
// test/unit/template.test.ts fails when the committed parser is older than the grammar.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'engine', 'template');
export function generate(grammar) {
  const source = peggy.generate(grammar, { output: 'source', format: 'es', allowedStartRules: ['Start', 'Statement'] });
  return `// @ts-nocheck -- generated from jinja.peggy by scripts/build-grammar.mjs; do not edit\n${source}`;
}
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(dir, 'jinja-parser.ts'), generate(readFileSync(join(dir, 'jinja.peggy'), 'utf8')));
  console.log('wrote engine/template/jinja-parser.ts');
}
