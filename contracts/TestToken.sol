// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20Token, IERC223Receiver} from "./IERC20Token.sol";

/// @title Test token: ERC20, the ERC223 `transfer(to, value, data)` µRaiden opens channels
/// with, an unrestricted `mint(to, value)` so tests and simulations can fund any account, and the
/// original µRaiden CustomToken's payable `mint()` (50 tokens for 0.1 ETH) that its web UI's
/// "buy tokens" button calls. Never deploy it where the tokens should be worth something.
contract TestToken is IERC20Token {
    string public name;
    string public symbol;
    uint8 public immutable decimals;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    /// CustomToken's event for a `mint()`, with its parameter names and indexed fields.
    event Minted(address indexed _to, uint256 indexed _num);

    /// The channels contract refuses a token without supply, so the deployer starts with some.
    /// Name, symbol and decimals are the deployer's choice (`uraiden deploy --token-name …`).
    constructor(string memory _name, string memory _symbol, uint8 _decimals, uint256 initial_supply) {
        require(initial_supply > 0, "zero supply");
        name = _name;
        symbol = _symbol;
        decimals = _decimals;
        _mint(msg.sender, initial_supply);
    }

    function mint(address to, uint256 value) external {
        _mint(to, value);
    }

    /// CustomToken's rate: at least 0.1 ETH buys 50 tokens per call (more ETH buys no more).
    function mint() external payable {
        require(msg.value >= 0.1 ether, "send at least 0.1 ether");
        uint256 num = 50 * 10 ** decimals;
        _mint(msg.sender, num);
        emit Minted(msg.sender, num);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// ERC223: like transfer, then tells a receiving contract who paid and why.
    function transfer(address to, uint256 value, bytes calldata data) external returns (bool) {
        _move(msg.sender, to, value);
        if (to.code.length > 0) IERC223Receiver(to).tokenFallback(msg.sender, value, data);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        // The maximum allowance means "unlimited" and is never decremented (common practice).
        if (allowed != type(uint256).max) {
            require(allowed >= value, "allowance too low");
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _move(from, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        require(spender != address(0), "zero spender");
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        require(to != address(0), "zero recipient");
        uint256 available = balanceOf[from];
        require(available >= value, "balance too low");
        unchecked {
            // Cannot underflow (checked) nor overflow (the sum of balances is totalSupply).
            balanceOf[from] = available - value;
            balanceOf[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _mint(address to, uint256 value) private {
        require(to != address(0), "zero recipient");
        totalSupply += value; // checked: bounds every balance below
        unchecked {
            balanceOf[to] += value;
        }
        emit Transfer(address(0), to, value);
    }
}
