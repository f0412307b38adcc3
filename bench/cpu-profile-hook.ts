/**
 * Preloaded into a benchmarked server (`node --import ./bench/cpu-profile-hook.ts`):
 * SIGUSR2 starts V8's CPU profiler, the next SIGUSR2 stops it and writes the
 * profile to BENCH_PROFILE_FILE, so that the profile covers the measured load
 * only (not start-up, module loading and warm-up, as `--cpu-prof` would).
 */
import { rename, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

const file = process.env.BENCH_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 250 µs: about a dozen samples per request, at a cost the profiled run can bear.
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  let running = false;
  let busy: Promise<void> = Promise.resolve();
  process.on('SIGUSR2', () => {
    busy = busy.then(async () => {
      if (!running) {
        await session.post('Profiler.start');
        running = true;
        return;
      }
      running = false;
      const { profile } = await session.post('Profiler.stop');
      // Written whole under another name first: the bench waits for the final name.
      await writeFile(`${file}.part`, JSON.stringify(profile));
      await rename(`${file}.part`, file);
    });
  });
}
