/**
 * How the report shows a quantity: the unit (gas in wei, gwei or ETH, chosen by the magnitude of
 * what is shown, so 0.02 ETH is not "20000000000000000" and 300 wei is not "0") and the number
 * format, as d3-format specifiers that the charts (Vega) and the tables share. d3-format (the
 * library Vega formats with) has a fixed en-US locale: the report never depends on the machine's.
 */
import { format } from 'd3-format';

/** tokens: token base units; wei: gas cost; count: transactions, requests, events. */
export type Quantity = 'tokens' | 'wei' | 'count';

export interface Scale {
  /** shown after the title: "ETH", "gwei", "wei", "tokens" or '' */
  unit: string;
  /** stored value / divisor = shown value */
  divisor: number;
  /** d3-format specifier for a single value (tables, bar labels): 4 significant digits, or SI beyond a million */
  value: string;
  /** d3-format specifier for axis ticks; undefined lets Vega take the precision from the tick step */
  axis: string | undefined;
  /** counts are whole: no tick between 0 and 1 */
  integer: boolean;
}

/** Gas costs: ETH from 0.001 ETH up, gwei from 0.001 gwei, wei below. */
function weiUnit(maxAbsWei: number): { unit: string; divisor: number } {
  if (maxAbsWei >= 1e15) return { unit: 'ETH', divisor: 1e18 };
  if (maxAbsWei >= 1e6) return { unit: 'gwei', divisor: 1e9 };
  return { unit: 'wei', divisor: 1 };
}

const SI_FROM = 1e6;

/** The scale for values of one quantity whose largest magnitude (in stored units) is `maxAbs`. */
export function scaleFor(quantity: Quantity, maxAbs: number): Scale {
  const { unit, divisor } = quantity === 'wei' ? weiUnit(maxAbs) : { unit: quantity === 'tokens' ? 'tokens' : '', divisor: 1 };
  const big = maxAbs / divisor >= SI_FROM;
  return { unit, divisor, value: big ? '.4~s' : ',.4~r', axis: big ? '~s' : undefined, integer: quantity === 'count' };
}

const formatters = new Map<string, (v: number) => string>();

/** A number with a d3-format specifier (en-US). */
export function formatNumber(v: number, specifier: string): string {
  const f = formatters.get(specifier) ?? format(specifier);
  formatters.set(specifier, f);
  return f(v);
}

/** A stored value (a decimal string or a number) shown in a scale: `0.0213` for 21300000000000000 wei in ETH. */
export function formatScaled(v: number, scale: Scale): string {
  return formatNumber(v / scale.divisor, scale.value);
}
