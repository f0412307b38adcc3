#!/usr/bin/env node
// The `mamoru` command. Mamoru is TypeScript run by Node 24 directly (type
// stripping). `npm run` and `npx` inside the clone put the project's Node 24
// (the `node` devDependency) first on PATH; from anywhere else (`npx --prefix
// <clone> mamoru`, `npm link`, a shell alias) the `node` found first may be an
// older one, so this launcher is plain JavaScript that any Node can start: on
// Node 24 or later it runs the CLI in this process, otherwise it runs it again
// on the project's own Node 24 and passes its exit status back.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  const { main } = await import(pathToFileURL(cli).href);
  await main();
} else {
  const node = [
    join(root, 'node_modules', 'node', 'bin', 'node'),
    join(root, 'node_modules', '.bin', 'node'),
  ].find((p) => existsSync(p));
  if (!node) {
    process.stderr.write(
      `mamoru: Node.js 24 以降が必要です（実行中は ${process.version}）。${root} で npm install を実行してください / ` +
        `Mamoru needs Node.js 24 or later (this is ${process.version}): run npm install in ${root}, which brings it\n`,
    );
    process.exit(1);
  }
  const child = spawn(node, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`mamoru: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // Die of the same signal, as the shell expects.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
