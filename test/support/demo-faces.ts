// The demo photos moved to src/testing/ (shipped as `emolabel/test`); tests keep importing them from here.
export { demoFace } from '../../src/testing/face-images.js';
