/**
 * SPEC §2: the external ABI is µRaiden 0.2.0's (names, parameter names and types, outputs,
 * mutability, events and indexed fields), so clients written for 0.2.0 work unchanged.
 * The expected list below was written from the 0.2.0 contract's declarations.
 */
import { expect } from 'chai';
import { Interface } from 'ethers';
import { artifact } from '../../src/contracts/artifacts.js';

const ABI_0_2_0 = [
  'constructor(address _token_address, uint32 _challenge_period, address[] _trusted_contracts)',
  'function owner_address() view returns (address)',
  'function challenge_period() view returns (uint32)',
  'function version() view returns (string)',
  'function channel_deposit_bugbounty_limit() view returns (uint256)',
  'function token() view returns (address)',
  'function channels(bytes32) view returns (uint192 deposit, uint32 open_block_number)',
  'function closing_requests(bytes32) view returns (uint192 closing_balance, uint32 settle_block_number)',
  'function trusted_contracts(address) view returns (bool)',
  'function withdrawn_balances(bytes32) view returns (uint192)',
  'function tokenFallback(address _sender_address, uint256 _deposit, bytes _data)',
  'function createChannel(address _receiver_address, uint192 _deposit)',
  'function createChannelDelegate(address _sender_address, address _receiver_address, uint192 _deposit)',
  'function topUp(address _receiver_address, uint32 _open_block_number, uint192 _added_deposit)',
  'function topUpDelegate(address _sender_address, address _receiver_address, uint32 _open_block_number, uint192 _added_deposit)',
  'function withdraw(uint32 _open_block_number, uint192 _balance, bytes _balance_msg_sig)',
  'function cooperativeClose(address _receiver_address, uint32 _open_block_number, uint192 _balance, bytes _balance_msg_sig, bytes _closing_sig)',
  'function uncooperativeClose(address _receiver_address, uint32 _open_block_number, uint192 _balance)',
  'function settle(address _receiver_address, uint32 _open_block_number)',
  'function getChannelInfo(address _sender_address, address _receiver_address, uint32 _open_block_number) view returns (bytes32, uint192, uint32, uint192, uint192)',
  'function addTrustedContracts(address[] _trusted_contracts)',
  'function removeTrustedContracts(address[] _trusted_contracts)',
  'function extractBalanceProofSignature(address _receiver_address, uint32 _open_block_number, uint192 _balance, bytes _balance_msg_sig) view returns (address)',
  'function extractClosingSignature(address _sender_address, uint32 _open_block_number, uint192 _balance, bytes _closing_sig) view returns (address)',
  'function getKey(address _sender_address, address _receiver_address, uint32 _open_block_number) pure returns (bytes32 data)',
  'event ChannelCreated(address indexed _sender_address, address indexed _receiver_address, uint192 _deposit)',
  'event ChannelToppedUp(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _added_deposit)',
  'event ChannelCloseRequested(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _balance)',
  'event ChannelSettled(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _balance, uint192 _receiver_tokens)',
  'event ChannelWithdraw(address indexed _sender_address, address indexed _receiver_address, uint32 indexed _open_block_number, uint192 _withdrawn_balance)',
  'event TrustedContract(address indexed _trusted_contract_address, bool _trusted_status)',
];

describe('§2 external ABI', () => {
  it('§2 RaidenMicroTransferChannels has exactly the µRaiden 0.2.0 ABI', () => {
    const ours = Interface.from(artifact('RaidenMicroTransferChannels').abi as never)
      .format(false)
      .sort();
    const expected = Interface.from(ABI_0_2_0).format(false).sort();
    expect(ours).to.deep.equal(expected);
  });

  it("§2 TestToken offers ERC20, the ERC223 transfer, mint(to, value) and CustomToken's payable mint()", () => {
    const token = Interface.from(artifact('TestToken').abi as never);
    for (const signature of [
      'transfer(address,uint256)',
      'transfer(address,uint256,bytes)',
      'transferFrom(address,address,uint256)',
      'approve(address,uint256)',
      'allowance(address,address)',
      'balanceOf(address)',
      'totalSupply()',
      'decimals()',
      'mint(address,uint256)',
      'mint()',
    ]) {
      expect(token.getFunction(signature), signature).to.not.equal(null);
    }
    // As the original CustomToken declares them: the web UI's "buy tokens" sends ETH to mint().
    expect(token.getFunction('mint()')!.payable).to.equal(true);
    expect(token.getEvent('Minted')!.format('full')).to.equal('event Minted(address indexed _to, uint256 indexed _num)');
  });
});
