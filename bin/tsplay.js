#!/usr/bin/env node
import('../dist/tsplay.js')
  .then((m) => m.tsplay(process.argv))
  .catch((e) => {
    console.error(e?.stack ? e.stack : String(e));
    process.exit(1);
  });
