// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20Token} from "./IERC20Token.sol";

/// The delegate entry points of the channels contract (§2).
interface IChannelsDelegateApi {
    function createChannelDelegate(address sender, address receiver, uint192 deposit) external;
    function topUpDelegate(address sender, address receiver, uint32 open_block, uint192 added) external;
}

/// @title A trusted contract that opens and tops up channels on behalf of senders.
/// @notice Pays from its own token balance (fund it with `mint` or a transfer first) and lets
/// anyone call it: it exists to exercise the trusted-contract paths of §2 in tests, not to
/// guard money.
contract ChannelDelegate {
    IERC20Token public immutable token;
    address public immutable channels;

    constructor(IERC20Token _token, address _channels) {
        token = _token;
        channels = _channels;
    }

    /// ERC20 path: approve exactly the deposit, then the channels contract pulls it from us.
    function createChannel(address sender, address receiver, uint192 deposit) external {
        require(token.approve(channels, deposit), "approve failed");
        IChannelsDelegateApi(channels).createChannelDelegate(sender, receiver, deposit);
    }

    function topUp(address sender, address receiver, uint32 open_block, uint192 added) external {
        require(token.approve(channels, added), "approve failed");
        IChannelsDelegateApi(channels).topUpDelegate(sender, receiver, open_block, added);
    }

    /// ERC223 path: the data may name any sender, because the token reports us (trusted) as
    /// the payer.
    function transferWithData(uint256 value, bytes calldata data) external {
        require(token.transfer(channels, value, data), "transfer failed");
    }
}
