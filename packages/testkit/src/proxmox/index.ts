export {
  type ClusterSimulator,
  type ClusterSimulatorOptions,
  createClusterSimulator,
  type SimulatedDisk,
  type SimulatedGuest,
  type SimulatedGuestUsage,
  type SimulatedHaGroup,
  type SimulatedHaRule,
  type SimulatedImbalance,
  type SimulatedLoadProfile,
  type SimulatedNode,
  type SimulatedNodeSpec,
  type SimulatedNodeUsage,
  type SimulatedStorage,
} from './cluster-simulator';
export {
  type FakeProxmox,
  type FakeProxmoxFault,
  type FakeProxmoxFaultKind,
  type FakeProxmoxOptions,
  type FakeProxmoxRequest,
  type FakeProxmoxTask,
  startFakeProxmox,
} from './fake-proxmox';
export { createRandom, hashUnit, type Random } from './prng';
export {
  type PveVersion,
  type RrdConsolidation,
  type RrdResolution,
  type RrdRow,
  type RrdTimeframe,
  rrdBucketTimes,
  rrdResolution,
} from './rrd-format';
