/**
 * Is the code at an address the kit's contract? The runtime code on chain equals the artifact's
 * deployedBytecode everywhere but in the immutables, which the constructor fills in (the channels
 * contract's token, challenge period and owner; the test token's decimals): those ranges are
 * masked on both sides before comparing.
 */
import type { Artifact } from './artifacts.js';

export function codeMatches(onChain: string, artifact: Pick<Artifact, 'deployedBytecode' | 'immutableRanges'>): boolean {
  const expected = artifact.deployedBytecode.toLowerCase();
  const actual = onChain.toLowerCase();
  if (actual.length !== expected.length) return false;
  const mask = (hex: string): string => {
    let out = hex;
    for (const { start, length } of artifact.immutableRanges) {
      const at = 2 + 2 * start; // '0x' then two hex digits per byte
      out = out.slice(0, at) + '0'.repeat(2 * length) + out.slice(at + 2 * length);
    }
    return out;
  };
  return mask(actual) === mask(expected);
}
