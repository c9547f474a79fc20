// A TypeScript user's file importing every entry point of uraiden-kit and using a type of each;
// type-checked with moduleResolution node16 and bundler, no extra flags, no @types installed.
import { createSenderClient, HEADER, openReceiver } from 'uraiden-kit';
import { balanceProofTypedData, createWebClient, type WebClient } from 'uraiden-kit/browser';
import { artifact, type RaidenMicroTransferChannels } from 'uraiden-kit/contracts';
import { type Chain, startChain } from 'uraiden-kit/chain';
import { type ConformanceResult, runConformance } from 'uraiden-kit/conformance';
import { type BalanceProofMessage, balanceMessageHash, type Hex } from 'uraiden-kit/protocol';
import { createProxy, paidResource, type Receiver } from 'uraiden-kit/receiver';
import { isRefusal, type SenderClientOptions } from 'uraiden-kit/sender';
import { parseScenario, type RunSummary } from 'uraiden-kit/simulator';

const message: BalanceProofMessage = { receiver: `0x${'22'.repeat(20)}`, openBlock: 1, balance: 5n, contract: `0x${'33'.repeat(20)}` };
const hash: Hex = balanceMessageHash(message);
const abiLength: number = artifact('RaidenMicroTransferChannels').abi.length;
const price: string = HEADER.price;
const resource = paidResource('/report', 5n, () => 'the report');
const typedData = balanceProofTypedData(message);
export type Used = [Chain, ConformanceResult, Receiver, SenderClientOptions, RunSummary, RaidenMicroTransferChannels, WebClient];
export const used = [hash, abiLength, price, resource, typedData, isRefusal, parseScenario, startChain, runConformance, createProxy, createSenderClient, openReceiver, createWebClient];
