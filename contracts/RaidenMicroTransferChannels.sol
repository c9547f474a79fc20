// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20Token} from "./IERC20Token.sol";
import {SignatureRecovery} from "./SignatureRecovery.sol";

/// @title µRaiden micropayment channels (SPEC §2).
/// @notice External ABI identical to µRaiden 0.2.0 so that existing clients work unchanged;
/// the storage layout underneath is new (see `Channel`) to keep every operation cheaper
/// than the original.
contract RaidenMicroTransferChannels {
    // ---------------------------------------------------------------- constants

    string public constant version = "0.2.1";

    /// Total deposit of one channel. 100 tokens of 18 decimals fits in 67 bits, which is what
    /// lets the packed layout below hold amounts in uint88.
    uint256 public constant channel_deposit_bugbounty_limit = 100 * 10 ** 18;

    // §1.2 / §1.3 schema hashes: fixed strings, so the compiler folds them into constants.
    bytes32 private constant BALANCE_SCHEMA = keccak256(
        abi.encodePacked(
            "string message_id",
            "address receiver",
            "uint32 block_created",
            "uint192 balance",
            "address contract"
        )
    );
    bytes32 private constant CLOSING_SCHEMA = keccak256(
        abi.encodePacked(
            "string message_id",
            "address sender",
            "uint32 block_created",
            "uint192 balance",
            "address contract"
        )
    );

    // ---------------------------------------------------------------- state

    /// Immutable rather than storage: read on every close request, and immutables cost no SLOAD.
    address public immutable owner_address;
    uint32 public immutable challenge_period;
    IERC20Token public immutable token;

    /// Everything but the withdrawn amount in one slot, so opening, topping up and requesting a
    /// close each write a single slot that is already warm from the checks. Amounts are bounded
    /// by `channel_deposit_bugbounty_limit` (< 2^67), so uint88 cannot truncate them.
    struct Channel {
        uint88 deposit;
        uint88 closing_balance; // meaningful only once settle_block_number != 0
        uint32 open_block_number; // 0 means "no channel" (no transaction runs in block 0)
        uint32 settle_block_number; // 0 means "no close request"
        bool has_withdrawn; // lets close and settle skip reading `_withdrawn` when it is 0
    }

    mapping(bytes32 => Channel) private _channels;
    /// Apart from the channel slot: only withdraw writes it, and most channels never withdraw,
    /// so the other operations need not pay for it. Stored as uint256 to write it without masking.
    mapping(bytes32 => uint256) private _withdrawn;
    mapping(address => bool) public trusted_contracts;

    // ---------------------------------------------------------------- events

    event ChannelCreated(address indexed _sender_address, address indexed _receiver_address, uint192 _deposit);
    event ChannelToppedUp(
        address indexed _sender_address,
        address indexed _receiver_address,
        uint32 indexed _open_block_number,
        uint192 _added_deposit
    );
    event ChannelCloseRequested(
        address indexed _sender_address,
        address indexed _receiver_address,
        uint32 indexed _open_block_number,
        uint192 _balance
    );
    event ChannelSettled(
        address indexed _sender_address,
        address indexed _receiver_address,
        uint32 indexed _open_block_number,
        uint192 _balance,
        uint192 _receiver_tokens
    );
    event ChannelWithdraw(
        address indexed _sender_address,
        address indexed _receiver_address,
        uint32 indexed _open_block_number,
        uint192 _withdrawn_balance
    );
    event TrustedContract(address indexed _trusted_contract_address, bool _trusted_status);

    // ---------------------------------------------------------------- constructor

    constructor(address _token_address, uint32 _challenge_period, address[] memory _trusted_contracts) {
        require(_token_address != address(0), "token is zero");
        require(_token_address.code.length > 0, "token has no code");
        require(_challenge_period >= 500, "challenge period < 500");
        // A cheap sanity check that the address really is a token.
        require(IERC20Token(_token_address).totalSupply() > 0, "token has no supply");

        owner_address = msg.sender;
        challenge_period = _challenge_period;
        token = IERC20Token(_token_address);
        _addTrusted(_trusted_contracts);
    }

    // ---------------------------------------------------------------- opening and top-ups

    /// ERC223 entry: the token calls this after crediting us `_deposit`.
    /// data = sender(20) ‖ receiver(20) opens; ‖ open_block(4) tops up (§1.5).
    function tokenFallback(address _sender_address, uint256 _deposit, bytes calldata _data) external {
        require(msg.sender == address(token), "not the token");
        require(_deposit <= type(uint192).max, "deposit > uint192");
        uint256 length = _data.length;
        require(length == 40 || length == 44, "bad data length");

        address sender = address(bytes20(_data[0:20]));
        address receiver = address(bytes20(_data[20:40]));
        // A trusted contract may pay for someone else's channel; anyone else only for their own.
        require(_sender_address == sender || trusted_contracts[_sender_address], "sender mismatch");

        if (length == 40) {
            _open(sender, receiver, uint192(_deposit));
        } else {
            _topUp(sender, receiver, uint32(bytes4(_data[40:44])), uint192(_deposit));
        }
    }

    function createChannel(address _receiver_address, uint192 _deposit) external {
        _open(msg.sender, _receiver_address, _deposit);
        _pull(_deposit);
    }

    function createChannelDelegate(address _sender_address, address _receiver_address, uint192 _deposit)
        external
    {
        require(trusted_contracts[msg.sender], "not trusted");
        _open(_sender_address, _receiver_address, _deposit);
        _pull(_deposit);
    }

    function topUp(address _receiver_address, uint32 _open_block_number, uint192 _added_deposit) external {
        _topUp(msg.sender, _receiver_address, _open_block_number, _added_deposit);
        _pull(_added_deposit);
    }

    function topUpDelegate(
        address _sender_address,
        address _receiver_address,
        uint32 _open_block_number,
        uint192 _added_deposit
    ) external {
        require(trusted_contracts[msg.sender], "not trusted");
        _topUp(_sender_address, _receiver_address, _open_block_number, _added_deposit);
        _pull(_added_deposit);
    }

    // ---------------------------------------------------------------- receiver withdraws

    function withdraw(uint32 _open_block_number, uint192 _balance, bytes calldata _balance_msg_sig) external {
        require(_balance > 0, "zero balance");
        address sender = extractBalanceProofSignature(msg.sender, _open_block_number, _balance, _balance_msg_sig);
        bytes32 key = getKey(sender, msg.sender, _open_block_number);

        Channel memory c = _channels[key];
        require(c.open_block_number != 0, "no channel");
        // After a close request the balance is being decided: paying out now could pay twice.
        require(c.settle_block_number == 0, "close requested");
        require(_balance <= c.deposit, "balance > deposit");
        uint256 withdrawn = _withdrawnOf(key, c);
        require(withdrawn < _balance, "already withdrawn");

        uint192 delta;
        unchecked {
            delta = uint192(_balance - withdrawn); // withdrawn < balance, checked above
        }
        _withdrawn[key] = _balance;
        if (!c.has_withdrawn) {
            c.has_withdrawn = true;
            _channels[key] = c;
        }

        require(token.transfer(msg.sender, delta), "transfer failed");
        emit ChannelWithdraw(sender, msg.sender, _open_block_number, delta);
    }

    // ---------------------------------------------------------------- closing

    /// Anyone may submit both signatures; also allowed during a challenge period, which is how
    /// the receiver answers a sender who asked to close at too low a balance (§4 dispute).
    function cooperativeClose(
        address _receiver_address,
        uint32 _open_block_number,
        uint192 _balance,
        bytes calldata _balance_msg_sig,
        bytes calldata _closing_sig
    ) external {
        address sender = extractBalanceProofSignature(_receiver_address, _open_block_number, _balance, _balance_msg_sig);
        address receiver = extractClosingSignature(sender, _open_block_number, _balance, _closing_sig);
        require(receiver == _receiver_address, "closing signer mismatch");
        bytes32 key = getKey(sender, receiver, _open_block_number);
        _settle(key, _channels[key], sender, receiver, _open_block_number, _balance);
    }

    function uncooperativeClose(address _receiver_address, uint32 _open_block_number, uint192 _balance) external {
        bytes32 key = getKey(msg.sender, _receiver_address, _open_block_number);
        Channel memory c = _channels[key];
        require(c.open_block_number != 0, "no channel");
        require(c.settle_block_number == 0, "close requested");
        require(_balance <= c.deposit, "balance > deposit");
        // Fix over 0.2.0: a balance below what was already withdrawn could never settle,
        // locking the deposit forever.
        require(_balance >= _withdrawnOf(key, c), "balance < withdrawn");

        uint256 settle_block = block.number + challenge_period;
        require(settle_block <= type(uint32).max, "settle block overflow");
        // balance <= deposit <= limit, so the uint88 cast is exact; one SSTORE for both fields.
        c.closing_balance = uint88(_balance);
        c.settle_block_number = uint32(settle_block);
        _channels[key] = c;
        emit ChannelCloseRequested(msg.sender, _receiver_address, _open_block_number, _balance);
    }

    function settle(address _receiver_address, uint32 _open_block_number) external {
        bytes32 key = getKey(msg.sender, _receiver_address, _open_block_number);
        Channel memory c = _channels[key];
        require(c.settle_block_number != 0, "no close request");
        require(block.number > c.settle_block_number, "challenge period not over");
        _settle(key, c, msg.sender, _receiver_address, _open_block_number, c.closing_balance);
    }

    // ---------------------------------------------------------------- views

    function getChannelInfo(address _sender_address, address _receiver_address, uint32 _open_block_number)
        external
        view
        returns (bytes32, uint192, uint32, uint192, uint192)
    {
        bytes32 key = getKey(_sender_address, _receiver_address, _open_block_number);
        Channel memory c = _channels[key];
        require(c.open_block_number != 0, "no channel");
        return (key, c.deposit, c.settle_block_number, c.closing_balance, uint192(_withdrawn[key]));
    }

    // The three getters below replace 0.2.0's public mappings with the same selectors and
    // outputs (their parameter was unnamed, hence msg.data): the storage behind them changed.

    function channels(bytes32) external view returns (uint192 deposit, uint32 open_block_number) {
        Channel memory c = _channels[_keyArgument()];
        return (c.deposit, c.open_block_number);
    }

    function closing_requests(bytes32)
        external
        view
        returns (uint192 closing_balance, uint32 settle_block_number)
    {
        Channel memory c = _channels[_keyArgument()];
        return (c.closing_balance, c.settle_block_number);
    }

    function withdrawn_balances(bytes32) external view returns (uint192) {
        return uint192(_withdrawn[_keyArgument()]);
    }

    function extractBalanceProofSignature(
        address _receiver_address,
        uint32 _open_block_number,
        uint192 _balance,
        bytes calldata _balance_msg_sig
    ) public view returns (address) {
        bytes32 data = keccak256(
            abi.encodePacked(
                "Sender balance proof signature", _receiver_address, _open_block_number, _balance, address(this)
            )
        );
        return SignatureRecovery.recover(keccak256(abi.encodePacked(BALANCE_SCHEMA, data)), _balance_msg_sig);
    }

    function extractClosingSignature(
        address _sender_address,
        uint32 _open_block_number,
        uint192 _balance,
        bytes calldata _closing_sig
    ) public view returns (address) {
        bytes32 data = keccak256(
            abi.encodePacked(
                "Receiver closing signature", _sender_address, _open_block_number, _balance, address(this)
            )
        );
        return SignatureRecovery.recover(keccak256(abi.encodePacked(CLOSING_SCHEMA, data)), _closing_sig);
    }

    function getKey(address _sender_address, address _receiver_address, uint32 _open_block_number)
        public
        pure
        returns (bytes32 data)
    {
        return keccak256(abi.encodePacked(_sender_address, _receiver_address, _open_block_number));
    }

    // ---------------------------------------------------------------- trusted contracts

    function addTrustedContracts(address[] calldata _trusted_contracts) external {
        require(msg.sender == owner_address, "not owner");
        _addTrusted(_trusted_contracts);
    }

    function removeTrustedContracts(address[] calldata _trusted_contracts) external {
        require(msg.sender == owner_address, "not owner");
        for (uint256 i = 0; i < _trusted_contracts.length; ++i) {
            address target = _trusted_contracts[i];
            if (trusted_contracts[target]) {
                trusted_contracts[target] = false;
                emit TrustedContract(target, false);
            }
        }
    }

    // ---------------------------------------------------------------- internals

    function _addTrusted(address[] memory list) private {
        for (uint256 i = 0; i < list.length; ++i) {
            address target = list[i];
            // An address without code cannot be a contract we audited; skip it silently,
            // as 0.2.0 did, so one bad entry does not block the rest.
            if (target.code.length > 0) {
                trusted_contracts[target] = true;
                emit TrustedContract(target, true);
            }
        }
    }

    function _open(address sender, address receiver, uint192 deposit) private {
        require(deposit <= channel_deposit_bugbounty_limit, "deposit > limit");
        // Channel keys use uint32 block numbers; refuse rather than wrap around.
        require(block.number <= type(uint32).max, "block number > uint32");
        uint32 open_block = uint32(block.number);
        bytes32 key = getKey(sender, receiver, open_block);

        require(_channels[key].open_block_number == 0, "channel exists");
        _channels[key] = Channel({
            deposit: uint88(deposit),
            closing_balance: 0,
            open_block_number: open_block,
            settle_block_number: 0,
            has_withdrawn: false
        });
        emit ChannelCreated(sender, receiver, deposit);
    }

    function _topUp(address sender, address receiver, uint32 open_block, uint192 added) private {
        require(added > 0, "zero top-up");
        require(open_block > 0, "zero open block");
        bytes32 key = getKey(sender, receiver, open_block);

        Channel memory c = _channels[key];
        require(c.open_block_number != 0, "no channel");
        require(c.settle_block_number == 0, "close requested");
        // uint256 sum: deposit < 2^67 and added < 2^192 cannot overflow it.
        uint256 deposit = uint256(c.deposit) + added;
        require(deposit <= channel_deposit_bugbounty_limit, "deposit > limit");
        c.deposit = uint88(deposit);
        _channels[key] = c;
        emit ChannelToppedUp(sender, receiver, open_block, added);
    }

    /// Pays out a channel. State is deleted before any transfer so a re-entering token
    /// finds nothing left to pay (checks-effects-interactions). `c` is `_channels[key]`,
    /// passed in because every caller has just read it.
    function _settle(bytes32 key, Channel memory c, address sender, address receiver, uint32 open_block, uint192 balance)
        private
    {
        require(c.open_block_number != 0, "no channel");
        require(balance <= c.deposit, "balance > deposit");
        uint256 withdrawn = _withdrawnOf(key, c);
        require(withdrawn <= balance, "balance < withdrawn");

        delete _channels[key];
        // Second fix over 0.2.0, which left the withdrawn record behind. Skipped when already
        // zero: clearing an empty slot costs gas and changes nothing.
        if (withdrawn != 0) delete _withdrawn[key];

        uint192 receiver_tokens;
        uint192 sender_tokens;
        unchecked {
            receiver_tokens = uint192(balance - withdrawn); // withdrawn <= balance, checked above
            sender_tokens = c.deposit - balance; // balance <= deposit, checked above
        }
        // Zero transfers are skipped: they move nothing and cost a call.
        if (receiver_tokens > 0) require(token.transfer(receiver, receiver_tokens), "transfer failed");
        if (sender_tokens > 0) require(token.transfer(sender, sender_tokens), "transfer failed");
        emit ChannelSettled(sender, receiver, open_block, balance, receiver_tokens);
    }

    /// Pulls an ERC20 deposit from the caller (after its approve). Done after the state change,
    /// as the token is trusted but the order keeps re-entrancy harmless anyway.
    function _pull(uint192 amount) private {
        require(token.transferFrom(msg.sender, address(this), amount), "transferFrom failed");
    }

    /// `c` must be `_channels[key]`.
    function _withdrawnOf(bytes32 key, Channel memory c) private view returns (uint256) {
        return c.has_withdrawn ? _withdrawn[key] : 0;
    }

    function _keyArgument() private pure returns (bytes32) {
        return bytes32(msg.data[4:36]);
    }
}
