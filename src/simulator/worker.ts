/**
 * A worker process: receives run tickets over IPC, simulates each (one chain at a time: each run
 * owns a ganache), and sends back the rows and summary. Started by pool.ts with tsx's loader.
 */
import { simulate, type SimulateOptions } from './run.js';
import { specOf, type RunTicket } from './plan.js';

process.on('message', (msg: { ticket: RunTicket; options: SimulateOptions }) => {
  void (async () => {
    try {
      const result = await simulate(specOf(msg.ticket), msg.options);
      process.send!({ ok: true, run: msg.ticket.run, result });
    } catch (err) {
      process.send!({ ok: false, run: msg.ticket.run, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  })();
});
process.send!({ ready: true });
