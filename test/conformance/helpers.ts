/** Runs `uraiden conformance` as a user would: a child process, spawned asynchronously. */
import path from 'node:path';
import { type Finished, ROOT } from '../helpers/processes.js';

export { BIN, ROOT, uraiden } from '../helpers/processes.js';
export type CliResult = Finished;
export const FIXTURES = path.join(ROOT, 'test/conformance/fixtures');

/**
 * A minimal XML well-formedness check (no XML parser among the dependencies): one root, tags
 * nested and closed, attributes quoted, only the five predefined entities or character refs.
 * Returns the element names in document order.
 */
export function checkXml(text: string): string[] {
  let s = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const names: string[] = [];
  let roots = 0;
  while (s.length > 0) {
    const lt = s.indexOf('<');
    const textPart = lt === -1 ? s : s.slice(0, lt);
    if (/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(textPart)) throw new Error(`bad entity in text: ${textPart.slice(0, 80)}`);
    if (stack.length === 0 && textPart.trim() !== '') throw new Error(`text outside the root: ${textPart.slice(0, 80)}`);
    if (lt === -1) break;
    s = s.slice(lt);
    const gt = s.indexOf('>');
    if (gt === -1) throw new Error('unterminated tag');
    const tag = s.slice(0, gt + 1);
    s = s.slice(gt + 1);
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>$/.exec(tag);
    if (close) {
      if (stack.pop() !== close[1]) throw new Error(`mismatched </${close[1]}>`);
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>$/.exec(tag);
    if (!open) throw new Error(`malformed tag: ${tag.slice(0, 120)}`);
    if (/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(open[2] ?? '')) throw new Error(`bad entity in attributes: ${tag.slice(0, 120)}`);
    if (stack.length === 0) roots++;
    names.push(open[1] as string);
    if (open[3] !== '/') stack.push(open[1] as string);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}
