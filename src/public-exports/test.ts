// `emolabel/test`, for plugin authors: a recording MockAnnotator, fake provider servers on
// 127.0.0.1 that speak the real wire formats, and the contract suites (vitest) that emolabel runs
// against its own annotators, strategies and dataset loaders. Needs vitest (an optional peer dependency).
export { MockAnnotator, type MockAnnotatorAnswer } from '../testing/mock-annotator.js';
export { runAnnotatorContract, readFaceImages, type ContractSubject, type WireReader } from '../testing/annotator-contract.js';
export { runStrategyContract, flatColourCrops, type StrategyContractSubject } from '../testing/strategy-contract.js';
export {
  runDatasetLoaderContract, writePlaceholderMedia,
  type DatasetFixture, type DatasetLoaderContractSubject,
} from '../testing/dataset-loader-contract.js';
export { defaultContractFaces, demoFace, facesDevRoot, loadFacesDev, type LabelledImage } from '../testing/face-images.js';

export {
  startFakeHttpServer, fakeAnswer, schemaLabels, schemaWantsActionUnits, textTokens, SLOW_RESPONSE_MS,
  type FakeMode, type FakeResponder, type FakeResponse, type FakeServer, type ReceivedImage, type RecordedRequest,
} from '../testing/fake-http-server.js';
export { startFakeOpenAiServer, gpt4oMiniImageTokens, type FakeOpenAiOptions, type FakeProviderLimits, type FakeLimitStats } from '../testing/fake-openai-server.js';
export { startFakeAnthropicServer, type FakeAnthropicOptions } from '../testing/fake-anthropic-server.js';
export { startFakeGoogleServer, type FakeGoogleOptions } from '../testing/fake-google-server.js';
