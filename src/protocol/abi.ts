/**
 * The parts of the µRaiden 0.2 contract ABI (SPEC §2) that senders and receivers call, in ethers'
 * human-readable form. The names and types are the protocol's, the same for every deployment, so
 * programs that talk to a channels contract need no build artifacts to do it. (The full ABI of our
 * own contract is in build/contracts, and test/contracts checks it against µRaiden 0.2.0.)
 */
export const CHANNELS_ABI = [
  'function token() view returns (address)',
  'function challenge_period() view returns (uint32)',
  'function channel_deposit_bugbounty_limit() view returns (uint256)',
  'function createChannel(address _receiver_address, uint192 _deposit)',
  'function topUp(address _receiver_address, uint32 _open_block_number, uint192 _added_deposit)',
  'function withdraw(uint32 _open_block_number, uint192 _balance, bytes _balance_msg_sig)',
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

/** ERC20 plus the ERC223 transfer(to, value, data) that opens and tops up channels (§1.5). */
export const TOKEN_ABI = [
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function transfer(address to, uint256 value, bytes data) returns (bool)',
] as const;
