// Child process of cli-startup.test.ts: records every module loaded while it runs the emolabel CLI
// (`runCli` from the entry given) on the arguments that follow, with its output captured, then prints
// the exit code, that output and the loaded modules as JSON on stdout.
import { recordLoads } from './record-loads.mjs';

const { loaded, settled } = await recordLoads();
const [entry, ...argv] = process.argv.slice(2);
const { runCli } = await import(entry);
let stdout = '';
let stderr = '';
const io = { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text) }, cwd: process.cwd(), env: {} };
const code = await runCli(argv, io);
await settled();
process.stdout.write(JSON.stringify({ code, stdout, stderr, loaded }));
