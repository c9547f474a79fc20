/**
 * Paying from a browser, in a real one: Debian's Chromium driven by playwright-core, the reference
 * proxy on the kit's chain over real HTTP, and the kit's test wallet injected as window.ethereum
 * (EIP-6963 too), signing with a sender's key. A person's journey — paywall, connect, open a
 * channel of 50 while the test mines the confirmations, the content, three more pages paid by
 * auto-pay, a page that needs a top-up, a cooperative close — then the exact token balances on
 * chain; and the wallet declining, a wallet on the wrong chain, no wallet at all. A screenshot of
 * every step lands in reports/browser/ (gitignored).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { echoResources } from '../../src/reference/receiver/index.js';
import { type Account, createTestWallet, type TestWallet, testWalletInitScript } from '../../src/sim/index.js';
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from '../helpers/chromium.js';
import { type Rig, startRig } from '../reference/receiver/proxy/helpers.js';

const SHOTS = path.resolve('reports', 'browser');

describe('pay from a browser (Chromium, the test wallet, the reference proxy)', function () {
  this.timeout(120_000);
  let rig: Rig;
  let url: string;
  let next = 0;
  const contexts: { context: BrowserContext; dir: string }[] = [];

  before(async () => {
    requireChromium();
    rig = await startRig(echoResources(), { senders: 8 });
    url = (await rig.proxy.listen()).url;
    await mkdir(SHOTS, { recursive: true });
  });
  after(async () => {
    for (const { context, dir } of contexts) {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    }
    await rig?.close();
  });

  /** A fresh Chromium profile; with the test wallet for `sender` (window.ethereum and EIP-6963, or EIP-6963 only). */
  async function browse(sender?: Account, windowEthereum = true): Promise<{ page: Page; wallet?: TestWallet }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'uraiden-chromium-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_FLAGS,
      headless: true,
      viewport: { width: 760, height: 900 },
    });
    contexts.push({ context, dir });
    let wallet: TestWallet | undefined;
    if (sender) {
      wallet = createTestWallet({ provider: rig.chain.ganache, privateKey: sender.privateKey });
      await context.exposeFunction('__uraidenTestWallet', wallet.handle);
      await context.addInitScript(testWalletInitScript({ windowEthereum }));
    }
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => console.error('page error:', err.message));
    return { page, ...(wallet && { wallet }) };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const text = async (page: Page, selector: string) => (await page.locator(selector).textContent())?.trim();

  /**
   * Connect, and wait until the page has read the wallet and looked for a channel (its status line
   * gone), as a person sees it settle before typing: the page re-renders while it reads, and a
   * value typed into a field it replaces is lost (CI showed the default deposit opened instead).
   */
  async function connect(page: Page): Promise<void> {
    await page.click('#rdn-connect');
    await page.locator('#rdn-account').waitFor();
    await page.locator('#rdn-status').waitFor({ state: 'detached' });
  }

  /** Mines one block at a time until the page has counted every confirmation (it polls the chain). */
  async function mineWhileWaiting(page: Page, prefix: string): Promise<void> {
    await page.locator('#rdn-status', { hasText: 'block 0 of 2' }).waitFor();
    await shot(page, `${prefix}-confirmations-0-of-2`);
    await rig.chain.mine(1);
    await page.locator('#rdn-status', { hasText: 'block 1 of 2' }).waitFor();
    await shot(page, `${prefix}-confirmations-1-of-2`);
    await rig.chain.mine(1);
  }

  it('journey: paywall → connect → open 50 → confirmations → content → 3 pages by auto-pay → top-up → close: exact balances', async () => {
    const started = Date.now();
    const sender = rig.chain.accounts.senders[next++]!;
    const { page } = await browse(sender);
    const tokens = { sender: await rig.chain.token.balanceOf(sender.address), receiver: await rig.chain.token.balanceOf(rig.receiver) };

    const res = await page.goto(`${url}/echofix/hello`);
    expect(res?.status()).to.equal(402);
    await page.locator('#rdn-connect').waitFor();
    await page.locator('h1', { hasText: 'UKT' }).waitFor(); // the script has read the token
    expect(await text(page, 'h1')).to.equal('This page costs 5 UKT units');
    expect(await text(page, '#rdn-token')).to.equal(`UKT (1 UKT = 10^18 units) ${rig.chain.addresses.token}`);
    await shot(page, '01-paywall');

    await connect(page);
    await page.locator('#rdn-account', { hasText: sender.address }).waitFor();
    expect(await text(page, '#rdn-wallet-balance')).to.equal(`${tokens.sender / 10n ** 18n} UKT`); // 1000 whole tokens of 18 decimals
    expect(await text(page, '#rdn-deposit')).to.equal('none open');
    await page.check('#rdn-autopay');
    await page.fill('#rdn-autopay-max', '5');
    await page.fill('#rdn-deposit-input', '50');
    await shot(page, '02-connected');

    await page.click('#rdn-open');
    await mineWhileWaiting(page, '03');
    await page.waitForURL(`${url}/echofix/hello`);
    await page.locator('body', { hasText: /^hello$/ }).waitFor();
    expect(await page.locator('body').textContent()).to.equal('hello');
    await shot(page, '04-content');

    for (const name of ['two', 'three', 'four']) {
      const first = await page.goto(`${url}/echofix/${name}`);
      expect(first?.status(), 'the navigation meets the paywall').to.equal(402);
      // No click: the paywall pays 5 ≤ 5 by itself, and the reload brings the content.
      await page.locator('body', { hasText: new RegExp(`^${name}$`) }).waitFor();
      await shot(page, `05-autopaid-${name}`);
    }
    expect(rig.manager.channel(sender.address, rig.manager.channels({ sender: sender.address })[0]!.openBlock)?.balance).to.equal(20n);

    // 40 characters cost 40: above the auto-pay limit and above what is left (30).
    const long = 'a'.repeat(40);
    await page.goto(`${url}/echodyn/${long}`);
    await page.locator('#rdn-topup-needed').waitFor();
    expect(await text(page, '#rdn-left')).to.equal('30 UKT units');
    await page.fill('#rdn-topup-input', '20');
    await shot(page, '06-needs-top-up');
    await page.click('#rdn-topup');
    await mineWhileWaiting(page, '07');
    await page.locator('body', { hasText: new RegExp(`^${long}$`) }).waitFor();
    await shot(page, '08-content-after-top-up');

    // A page above the auto-pay limit shows the paywall without paying: close there.
    await page.goto(`${url}/echodyn/sixsix`);
    await page.locator('#rdn-close').waitFor();
    expect(await text(page, '#rdn-spent')).to.equal('60 UKT units');
    await page.click('#rdn-close');
    await shot(page, '09-close-confirm');
    await page.click('#rdn-close-confirm');
    await page.locator('#rdn-status', { hasText: 'Channel closed' }).waitFor();
    expect(await text(page, '#rdn-status')).to.equal('Channel closed: the receiver got 60 UKT units and 10 UKT units came back to you.');
    await shot(page, '10-closed');

    expect(await rig.chain.token.balanceOf(sender.address)).to.equal(tokens.sender - 60n);
    expect(await rig.chain.token.balanceOf(rig.receiver)).to.equal(tokens.receiver + 60n);
    expect(await rig.chain.token.balanceOf(rig.contract)).to.equal(0n);
    console.log(`      journey wall time: ${((Date.now() - started) / 1000).toFixed(1)} s (load ${os.loadavg()[0]!.toFixed(2)})`);
  });

  it('the wallet declines the signature: said in words, nothing paid, paying works after', async () => {
    const sender = rig.chain.accounts.senders[next++]!;
    const { page, wallet } = await browse(sender);
    await page.goto(`${url}/echofix/declined`);
    await connect(page);
    await page.fill('#rdn-deposit-input', '10');
    wallet!.rejectSignatures = true;
    await page.click('#rdn-open');
    await mineWhileWaiting(page, '11-decline');
    await page.locator('#rdn-error').waitFor();
    expect(await text(page, '#rdn-error')).to.equal('You declined the request in your wallet, so nothing was done (pay for the page).');
    await shot(page, '11-declined');
    wallet!.rejectSignatures = false;
    await page.click('#rdn-pay');
    await page.locator('body', { hasText: /^declined$/ }).waitFor();
  });

  it('site data cleared: the page finds the channel from the events at sync_block and takes the balance from the 402', async () => {
    const sender = rig.chain.accounts.senders[next++]!;
    const { page } = await browse(sender);
    await page.goto(`${url}/echofix/first`);
    await connect(page);
    await page.fill('#rdn-deposit-input', '30');
    await page.click('#rdn-open');
    await mineWhileWaiting(page, '14-lost');
    await page.locator('body', { hasText: /^first$/ }).waitFor();
    await page.evaluate('localStorage.clear()');
    await page.goto(`${url}/echofix/second`);
    // Rebuilt from ChannelCreated at /api/1/stats sync_block, at balance 0 until the receiver says 5.
    await page.locator('#rdn-spent', { hasText: 'not known in this browser yet' }).waitFor();
    expect(await text(page, '#rdn-left')).to.equal('at most 30 UKT units');
    await shot(page, '14-rebuilt-from-events');
    await page.click('#rdn-pay');
    // The receiver answers Invalid-Amount with its last proof; the page adopts it and pays 10.
    await page.locator('body', { hasText: /^second$/ }).waitFor();
    const channel = rig.manager.channels({ sender: sender.address })[0]!;
    expect(channel.balance).to.equal(10n);
  });

  it('a wallet on another chain (found by EIP-6963 alone): said in words, and Switch network fixes it', async () => {
    const sender = rig.chain.accounts.senders[next++]!;
    const { page, wallet } = await browse(sender, false);
    wallet!.wrongChainId = 5;
    await page.goto(`${url}/echofix/chain`);
    expect(await page.evaluate('typeof window.ethereum')).to.equal('undefined');
    await page.locator('#rdn-error').waitFor();
    expect(await text(page, '#rdn-error'))
      .to.include('Your wallet is on another network (chain 5)')
      .and.include(`chain ${rig.chain.chainId}`);
    await shot(page, '12-wrong-chain');
    await page.click('#rdn-switch');
    await page.locator('#rdn-account', { hasText: sender.address }).waitFor();
    expect(wallet!.wrongChainId).to.equal(undefined);
  });

  it('no wallet: said so, with the values a script client needs', async () => {
    const { page } = await browse();
    await page.goto(`${url}/echofix/nowallet`);
    await page.locator('#rdn-no-wallet').waitFor();
    expect(await text(page, '#rdn-no-wallet')).to.include('No Ethereum wallet was found in this browser');
    expect(await page.locator('details').getAttribute('open')).to.not.equal(null);
    const values = await page.locator('details table').textContent();
    for (const v of [rig.receiver, rig.contract, rig.chain.addresses.token, 'RDN-Price', '/api/1', String(rig.chain.chainId)]) expect(values).to.include(v);
    await shot(page, '13-no-wallet');
  });
});
