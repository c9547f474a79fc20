import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(pathToFileURL('/tmp/rep/cheaters-offline/report.html').href);
const y = (await page.evaluate('document.querySelectorAll("h2")[3].getBoundingClientRect().top + window.scrollY')) as number;
await page.screenshot({ path: '/tmp/rep/readme-b.png', fullPage: true, clip: { x: 0, y: y - 10, width: 1280, height: 420 } });
await browser.close();
