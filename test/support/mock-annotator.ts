// MockAnnotator moved to src/testing/ (shipped as `emolabel/test`); tests keep importing it from here.
export { MockAnnotator } from '../../src/testing/mock-annotator.js';
