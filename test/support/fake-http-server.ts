// The fake servers moved to src/testing/ (shipped as `emolabel/test`); tests keep importing them from here.
export * from '../../src/testing/fake-http-server.js';
