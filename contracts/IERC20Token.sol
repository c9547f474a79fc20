// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title The token calls the channels contract needs (ERC20 plus the ERC223 transfer).
interface IERC20Token {
    function totalSupply() external view returns (uint256);
    function balanceOf(address owner) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transfer(address to, uint256 value, bytes calldata data) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function approve(address spender, uint256 value) external returns (bool);
}

/// @title What an ERC223 token calls on a receiving contract.
interface IERC223Receiver {
    function tokenFallback(address from, uint256 value, bytes calldata data) external;
}
