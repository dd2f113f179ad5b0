// The simulator's own ceiling: a node-smpp client (not Lantoa) binds as ACCOUNT and sends N
// submit_sm with up to WINDOW outstanding, as fast as the simulator answers; prints one JSON
// line with the messages per second. With RECEIPTS given as "receipts", the clock stops at the
// last delivery receipt (each answered as it comes) rather than at the last submit's answer.
//
//   node blast.js HOST PORT ACCOUNT PASSWORD N WINDOW [receipts]
'use strict';
const smpp = require('smpp');
const [host, port, account, password, n, window, until] = process.argv.slice(2);
const waitReceipts = until === 'receipts';
const total = Number(n);
const width = Number(window);
const session = smpp.connect({ url: `smpp://${host}:${port}`, auto_enquire_link_period: 0 });
let sent = 0;
let answered = 0;
let accepted = 0;
let receipts = 0;
let start = 0;
function done() {
  if (answered < total || (waitReceipts && receipts < total)) return false;
  const seconds = (Date.now() - start) / 1000;
  console.log(JSON.stringify({ messages: total, accepted, receipts, seconds, per_s: total / seconds }));
  session.close();
  process.exit(0);
}
function pump() {
  while (sent < total && sent - answered < width) {
    const i = sent++;
    session.submit_sm({
      source_addr: 'BLAST',
      destination_addr: '8498' + String(1000000 + i).padStart(8, '0'),
      short_message: 'Thong bao thu nghiem toc do.',
      registered_delivery: 1,
    }, (pdu) => {
      answered += 1;
      if (pdu.command_status === 0) accepted += 1;
      if (!done()) pump();
    });
  }
}
session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  if (pdu.esm_class & 0x04) {
    receipts += 1;
    done();
  }
});
session.on('error', (e) => { console.error(String(e)); process.exit(1); });
session.bind_transceiver({ system_id: account, password }, (pdu) => {
  if (pdu.command_status !== 0) { console.error('bind refused'); process.exit(1); }
  start = Date.now();
  pump();
});
