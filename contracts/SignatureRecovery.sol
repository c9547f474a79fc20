// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Signer recovery for §1.4 signatures.
/// @notice Accepts exactly what µRaiden clients produce: 65 bytes r ‖ s ‖ v with v in
/// {0, 1, 27, 28}. s is not restricted to the low half: existing signers may emit high-s
/// proofs, and a proof's malleability is harmless here (the balance, not the signature
/// bytes, is what the contract records).
library SignatureRecovery {
    function recover(bytes32 hash, bytes calldata signature) internal pure returns (address signer) {
        require(signature.length == 65, "signature length");
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        // Some wallets emit the raw recovery id (0/1) instead of Ethereum's 27/28.
        if (v < 27) v += 27;
        require(v == 27 || v == 28, "signature v");
        signer = ecrecover(hash, v, r, s);
        // ecrecover signals an invalid signature by returning address 0.
        require(signer != address(0), "invalid signature");
    }
}
