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
export { deployContracts, DEFAULT_INITIAL_SUPPLY, DEFAULT_TOKEN, type Deployment, type DeployOptions, type TokenMetadata } from './deploy.js';
export { deployChannels, type DeployChannelsOptions, type ChannelsDeployment, type DeployedContract, type NewToken } from './deploy-channels.js';
export { codeMatches } from './verify.js';
export { MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD } from './limits.js';
export { DeployError, DeployTransactionError } from './errors.js';
export { CHANNELS_ABI, TOKEN_ABI } from '../protocol/abi.js';
export { UraidenError } from '../protocol/errors.js';
