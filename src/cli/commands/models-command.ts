import type { RegisterCommand } from '../register-command.js';
import type { ModelsFlags } from './models-action.js';

/** `emolabel models [--provider NAME] [--json] [--price-table FILE] [--all]`: what emolabel can price, and from where. */
export const registerModelsCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('models')
    .description('List the models emolabel can price: $ per million tokens (input, output, cached, batch), the image rule, where each price comes from and its date.')
    .option('--provider <name>', 'only this provider\'s models (openai, anthropic, google, openai-compatible)')
    .option('--json', 'print the list as JSON (unknown prices are null)')
    .option('--price-table <file>', 'JSON price table whose entries replace the bundled ones and genai-prices (or EMOLABEL_PRICE_TABLE)')
    .option('--all', 'also retired and deprecated models, and models that take no images')
    .action(async (flags: ModelsFlags) => {
      const { runModelsCommand } = await import('./models-action.js');
      await runModelsCommand(flags, io, setExitCode);
    });
};
