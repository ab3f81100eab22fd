// Child process of the cold-start benchmark: imports one module and reports, on stdout, the time
// since this process began (performance.now() counts from the process's time origin) at which the
// module's `handler` export was ready, and the CPU time the process had used by then.
// Plain .mjs, so nothing but the measured module is compiled.
import { pathToFileURL } from 'node:url';

const target = process.argv[2];
const mod = await import(pathToFileURL(target).href);
const readyMs = performance.now();
const cpu = process.cpuUsage();
if (process.argv[3] === 'handler' && typeof mod.handler !== 'function') {
  throw new Error(`${target} exports no handler`);
}
process.stdout.write(`${JSON.stringify({ readyMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
