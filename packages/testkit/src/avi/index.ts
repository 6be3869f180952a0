export {
  aviScenario,
  createDefaultAviSeed,
  type FakeAviRuntime,
  type FakeAviSeed,
  RECORDED_AVI_ORIGIN,
} from './avi-seed';
export {
  type AviCassette,
  type AviCassetteInteraction,
  type AviCassetteReplay,
  type AviCassetteReplayOptions,
  startAviCassetteReplay,
} from './cassette-replay';
export {
  type FakeAviController,
  type FakeAviControllerOptions,
  type FakeAviFault,
  type FakeAviFaultKind,
  type FakeAviRequest,
  type FakeAviWrite,
  startFakeAviController,
} from './fake-avi-controller';
