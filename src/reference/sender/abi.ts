/**
 * The slices of the token and channel-contract ABIs the sender uses, in ethers' human-readable
 * form. Kept here rather than read from build/ so the client (and `uraiden client`) work without
 * the generated artifacts; the names and types are the µRaiden 0.2 ABI of SPEC §2.
 */
import { Interface } from 'ethers';

export const CHANNELS_ABI = [
  'function token() view returns (address)',
  'function challenge_period() view returns (uint32)',
  'function channel_deposit_bugbounty_limit() view returns (uint256)',
  'function createChannel(address _receiver_address, uint192 _deposit)',
  'function topUp(address _receiver_address, uint32 _open_block_number, uint192 _added_deposit)',
  'function cooperativeClose(address _receiver_address, uint32 _open_block_number, uint192 _balance, bytes _balance_msg_sig, bytes _closing_sig)',
  'function uncooperativeClose(address _receiver_address, uint32 _open_block_number, uint192 _balance)',
  'function settle(address _receiver_address, uint32 _open_block_number)',
  'function getChannelInfo(address _sender_address, address _receiver_address, uint32 _open_block_number) view returns (bytes32, uint192, uint32, uint192, uint192)',
  'event ChannelCreated(address indexed _sender_address, address indexed _receiver_address, uint192 _deposit)',
  'event ChannelToppedUp(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _added_deposit)',
  'event ChannelCloseRequested(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _balance)',
  'event ChannelSettled(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _balance, uint192 _receiver_tokens)',
  'event ChannelWithdraw(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _withdrawn_balance)',
] as const;

export const TOKEN_ABI = [
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function transfer(address to, uint256 value, bytes data) returns (bool)',
] as const;

export const channelsInterface = new Interface(CHANNELS_ABI);
export const tokenInterface = new Interface(TOKEN_ABI);

/** topic0 of each channel event the sender follows. */
export const EVENT_TOPICS = {
  created: channelsInterface.getEvent('ChannelCreated')!.topicHash,
  toppedUp: channelsInterface.getEvent('ChannelToppedUp')!.topicHash,
  closeRequested: channelsInterface.getEvent('ChannelCloseRequested')!.topicHash,
  settled: channelsInterface.getEvent('ChannelSettled')!.topicHash,
  withdraw: channelsInterface.getEvent('ChannelWithdraw')!.topicHash,
} as const;
