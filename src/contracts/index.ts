/**
 * `uraiden-kit/contracts`: the kit's compiled contracts (§2 `RaidenMicroTransferChannels`, the
 * test token, the delegate) — artifacts with ABI and bytecode, typed ethers bindings — the ABI
 * slices every µRaiden 0.2 deployment shares, and deployment.
 */
export { artifact, CONTRACT_NAMES, type Artifact, type ContractName } from './artifacts.js';
export {
  RaidenMicroTransferChannels__factory,
  TestToken__factory,
  ChannelDelegate__factory,
  type RaidenMicroTransferChannels,
  type TestToken,
  type ChannelDelegate,
} from './generated/bindings/index.js';
export { deployContracts, DEFAULT_INITIAL_SUPPLY, type Deployment, type DeployOptions } from './deploy.js';
export { CHANNELS_ABI, TOKEN_ABI } from '../protocol/abi.js';
export { UraidenError } from '../protocol/errors.js';
