#!/usr/bin/env node
// The `mamoru` command: runs the TypeScript CLI directly (Node 24 strips the
// types; `npm install` brings Node 24 and puts it first on npm's PATH).
const { main } = await import('../src/cli/main.ts');
await main();
