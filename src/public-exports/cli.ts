// `emolabel/cli`: the command-line program, to run in-process with its arguments.
export { runCli } from '../cli/main.js';
