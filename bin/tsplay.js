#!/usr/bin/env node
import('../dist/engine/cli/main.js').then((m) => m.main(process.argv)).catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
