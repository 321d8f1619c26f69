// Import rules for src/, checked by `npm run lint:imports` (part of `npm test`).
//
// Layers, first to last. A folder may import the folders of earlier layers and never those of
// later ones; folders that share a layer do not import each other.
//
//    1  media            inputs, manifests, ffmpeg sampling, image decoding
//    2  faces            face-api runtime, detector, crops, tracking
//    3  annotators       Annotator contract, registry, the local model, LLM providers, cost
//    4  strategies       frame vote, mean, multi-frame, grid
//    5  pipeline         annotate(): items → frames → faces → strategy → ClipResult
//    6  store            SQLite run store, request log, response cache
//    7  runs             stored runs: resume, cache, budget, resilience (uses store)
//    8  output           CSV / JSONL / Label Studio writers, export of a stored run
//       datasets         dataset loaders (folder per class, manifest, FERV39k)
//       eval             label CSVs, metrics, confidence coverage
//       queue            runs on a BullMQ job queue: the coordinator's item runner, `emolabel worker`
//    9  report           report.json / report.html from scored cells (uses eval)
//   10  matrix           the benchmark matrix behind `emolabel bench`: one run per cell, scored
//                        into a report (uses runs, datasets, report)
//       review           the review web app: queue, decisions, media, reviewed export
//       label-studio     Label Studio's ML backend: labelling config, task media, predictions
//                        through runAnnotation (uses runs, output)
//   11  testing          `emolabel/test` for plugin authors: MockAnnotator, fake provider servers,
//                        contract suites (uses vitest, annotators, strategies, datasets, runs)
//   12  cli              commander program, one file per command
//   13  public-exports   the entries of the package's subpaths (`emolabel/eval` …), grouped by area
//   14  index.ts         the package entry (`emolabel`): the small API for labelling media
//
// Placed where their imports put them: store/ keeps runs as data (it imports pipeline's ClipResult)
// and runs/ drives runs through it, so store comes first; output/ needs pipeline and store, datasets/
// and eval/ only media, and review, matrix and cli use them; testing/ uses every area it gives
// suites for, and no area uses it; public-exports/ holds one entry file per subpath (cli's and
// test's included), and index.ts picks the main entry's names from the areas directly. Nothing in
// src/ imports public-exports/ or index.ts.
//
// taxonomy/, errors.ts, version.ts and serve-local.ts are shared: every layer may import them, and they import no layer.
// A folder under src/ that is in no layer fails `unlayered-folder` until it is placed here.
// No import cycles anywhere; type-only imports count (the swc parser reports `import type` like any import).

/** The layers in order; the folders of one layer are peers. `index.ts` is a file at src/. */
const LAYERS = [
  ['media'],
  ['faces'],
  ['annotators'],
  ['strategies'],
  ['pipeline'],
  ['store'],
  ['runs'],
  ['output', 'datasets', 'eval', 'queue'],
  ['report'],
  ['matrix', 'review', 'label-studio'],
  ['testing'],
  ['cli'],
  ['public-exports'],
  ['index.ts'],
];
const SHARED = ['taxonomy', 'errors.ts', 'version.ts', 'serve-local.ts'];

/** The path pattern of a folder (`src/media/…`) or a file at src/ (`src/index.ts`). */
const pathOf = (name) => (name.endsWith('.ts') ? `src/${name.replace('.', '\\.')}$` : `src/${name}/`);
const anyOf = (names) => `^(${names.map(pathOf).join('|')})`;

// One rule per folder: it must not import its peers or any later layer. The last layer (index.ts)
// has nothing after it, so it gets no rule; every other rule keeps it from being imported.
const layerRules = LAYERS.flatMap((layer, index) =>
  layer.flatMap((name) => {
    const later = LAYERS.slice(index + 1).flat();
    const peers = layer.filter((peer) => peer !== name);
    if (peers.length + later.length === 0) return [];
    return {
      name: `layer-${name.replace('.ts', '')}`,
      severity: 'error',
      comment:
        `${name} is layer ${index + 1}: it may import ${index === 0 ? 'only the shared taxonomy/ and errors.ts' : LAYERS.slice(0, index).flat().join(', ')}` +
        `${index === 0 ? '' : ' (and taxonomy/, errors.ts)'}, not ${[...peers, ...later].join(', ')}. ` +
        'Move the code it needs down a layer, or move this code up; see the layer list in .dependency-cruiser.cjs.',
      from: { path: `^${pathOf(name)}` },
      to: { path: anyOf([...peers, ...later]) },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'shared-imports-no-layer',
      severity: 'error',
      comment: 'taxonomy/ and errors.ts are imported by every layer, so they import none (only each other and packages).',
      from: { path: anyOf(SHARED) },
      to: { path: '^src/', pathNot: anyOf(SHARED) },
    },
    {
      name: 'unlayered-folder',
      severity: 'error',
      comment: 'Every folder under src/ has a place in the layer list of .dependency-cruiser.cjs; add this one there.',
      from: {},
      to: { path: '^src/', pathNot: anyOf([...LAYERS.flat(), ...SHARED]) },
    },
    {
      name: 'unlayered-folder-importing',
      severity: 'error',
      comment: 'Every folder under src/ has a place in the layer list of .dependency-cruiser.cjs; add this one there.',
      from: { path: '^src/', pathNot: anyOf([...LAYERS.flat(), ...SHARED]) },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles (type-only ones too) tie modules together; move the shared type or function to a file both can import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import the resolver cannot find; it would also slip past the rules above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API for dependency-cruiser to parse with; @swc/core
    // parses the .ts files instead, and reports `import type` like any import.
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages through their `exports` maps (`csv-parse/sync`, `vega-lite`).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
