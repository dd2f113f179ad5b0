// An SMSC simulator for Lantoa's tests, on node-smpp (an SMPP implementation independent of
// Lantoa's). It accepts transceiver binds with any system id and the one password it is given;
// each system id is an account of its own (its own record and modes), so tests running at once
// do not see each other. It answers submit_sm with a message id, keeps its own record of every
// submit_sm it received, and sends a delivery receipt (deliver_sm, esm_class 0x04) for each
// accepted message that asked for one.
//
//   node sim.js SMPP_PORT CONTROL_PORT PASSWORD
//
// The control port answers HTTP (ACCOUNT is a system id):
//   GET  /record/ACCOUNT     every submit_sm received, one JSON object per line
//   GET  /count/ACCOUNT      {received, accepted}: submits received and accepted so far
//   GET  /stats              submits answered per second over the last seconds
//   POST /mode/ACCOUNT {json} throttle: the next N submits get 0x58; rate_limit: submits
//                            beyond N a second (a token bucket, a twentieth of a second's
//                            burst) get 0x58; reject: {code, n};
//                            answerless: the next N submits are taken and get their
//                            receipt, but never an answer (as if it were lost);
//                            answer_delay_ms: wait before each answer; receipt_delay_ms;
//                            receipt_stat: DELIVRD, UNDELIV or EXPIRED; receipt_tlv: false to
//                            send the receipt as text only; drop_after: close the connection
//                            after N more submits; silent: answer nothing; mo: {from, text}
//                            sends one reply (a mobile-originated deliver_sm) now
//   POST /reset/ACCOUNT      forget the account's record, modes and receipts waiting for a bind
'use strict';
const smpp = require('smpp');
const http = require('http');

const [smppPort, controlPort, password] = process.argv.slice(2);
const accounts = new Map();
let nextId = 1;
let answered = 0;

function account(id) {
  if (!accounts.has(id)) accounts.set(id, { record: [], mode: {}, sessions: new Set(), waiting: [] });
  return accounts.get(id);
}

function receipt(acc, session, pdu, id) {
  const stat = acc.mode.receipt_stat || 'DELIVRD';
  const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2611281200 done date:2611281200 stat:${stat} err:000 text:`;
  const fields = {
    source_addr: pdu.destination_addr,
    destination_addr: pdu.source_addr,
    esm_class: 0x04,
    short_message: text,
  };
  if (acc.mode.receipt_tlv !== false) {
    fields.receipted_message_id = id;
    fields.message_state = { DELIVRD: 2, EXPIRED: 3, UNDELIV: 5 }[stat] || 7;
  }
  // To the session that sent it, or, if it has gone, to another bind of the account (as an
  // SMSC does after the sender reconnects).
  // With no bind at all, it is kept and delivered to the next one (store and forward).
  setTimeout(() => {
    const to = !session.closed ? session : [...acc.sessions].find((s) => !s.closed);
    if (to) deliver(to, fields); else acc.waiting.push(fields);
  }, acc.mode.receipt_delay_ms || 0);
}

// Sends a receipt; until the ESME answers it (deliver_sm_resp) it is not delivered: a bind that
// closes first leaves it waiting for the next bind, as an SMSC retries an unanswered one.
function deliver(session, fields) {
  if (!session.unanswered) session.unanswered = new Set();
  const entry = { fields };
  session.unanswered.add(entry);
  session.deliver_sm(fields, () => session.unanswered.delete(entry));
}

// Whether a submit now stays within the account's rate_limit (and takes its token).
function withinRate(acc) {
  const now = Date.now() / 1000;
  const rate = acc.mode.rate_limit;
  const burst = Math.max(1, rate / 20);
  if (acc.bucketAt === undefined) { acc.bucket = burst; acc.bucketAt = now; }
  acc.bucket = Math.min(burst, acc.bucket + (now - acc.bucketAt) * rate);
  acc.bucketAt = now;
  if (acc.bucket >= 1) { acc.bucket -= 1; return true; }
  return false;
}

const server = smpp.createServer(function (session) {
  let acc = null;
  session.on('close', () => {
    session.closed = true;
    if (acc) {
      acc.sessions.delete(session);
      for (const e of session.unanswered || []) acc.waiting.push(e.fields);
    }
  });
  session.on('error', () => {});
  session.on('bind_transceiver', function (pdu) {
    if (pdu.password !== password) {
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      session.close();
      return;
    }
    acc = account(pdu.system_id);
    acc.sessions.add(session);
    session.send(pdu.response({ system_id: 'LANTOA-SIM' }));
    // Receipts that found no bind go to this one.
    for (const fields of acc.waiting.splice(0)) deliver(session, fields);
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { session.send(pdu.response()); session.close(); });
  session.on('deliver_sm_resp', () => {});
  session.on('submit_sm', function (pdu) {
    if (!acc) { session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS })); return; }
    const mode = acc.mode;
    if (mode.silent) return;
    const sm = pdu.short_message || {};
    const entry = {
      source_addr: pdu.source_addr,
      destination_addr: pdu.destination_addr,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      registered_delivery: pdu.registered_delivery,
      udh: (sm.udh || []).map((u) => Buffer.from(u).toString('hex')),
      text: typeof sm.message === 'string' ? sm.message : Buffer.from(sm.message || []).toString('hex'),
    };
    let response;
    let id = null;
    if (mode.throttle > 0 || (mode.rate_limit && !withinRate(acc))) {
      if (mode.throttle > 0) mode.throttle -= 1;
      entry.answer = 'throttled';
      response = { command_status: smpp.ESME_RTHROTTLED };
    } else if (mode.reject && mode.reject.n > 0) {
      mode.reject.n -= 1;
      entry.answer = 'rejected:' + mode.reject.code;
      response = { command_status: mode.reject.code };
    } else {
      id = 'SIM' + (nextId++);
      acc.accepted = (acc.accepted || 0) + 1;
      entry.answer = id;
      response = { message_id: id };
    }
    acc.record.push(entry);
    if (id && mode.answerless > 0) {
      // Taken, and its receipt will come, but its answer is lost (a crash on the way back).
      mode.answerless -= 1;
      entry.answerless = true;
      if (pdu.registered_delivery & 0x01) receipt(acc, session, pdu, id);
      return;
    }
    const answer = () => {
      if (session.closed) {
        // The answer is lost with the bind, but the message was taken: its receipt still comes.
        if (id && (pdu.registered_delivery & 0x01)) receipt(acc, session, pdu, id);
        return;
      }
      session.send(pdu.response(response));
      answered += 1;
      if (id && (pdu.registered_delivery & 0x01)) receipt(acc, session, pdu, id);
      if (mode.drop_after !== undefined) {
        mode.drop_after -= 1;
        if (mode.drop_after <= 0) { delete mode.drop_after; session.destroy(); }
      }
    };
    if (mode.answer_delay_ms) setTimeout(answer, mode.answer_delay_ms); else answer();
  });
});
server.listen(Number(smppPort), '127.0.0.1');

let perSecond = [];
setInterval(() => { perSecond.push(answered); answered = 0; if (perSecond.length > 60) perSecond.shift(); }, 1000);

http.createServer(function (req, res) {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const [, verb, id] = req.url.split('/').map(decodeURIComponent);
    if (req.method === 'GET' && verb === 'record' && id) {
      const r = account(id).record;
      res.end(r.map((e) => JSON.stringify(e)).join('\n') + (r.length ? '\n' : ''));
    } else if (req.method === 'GET' && verb === 'count' && id) {
      const acc = account(id);
      res.end(JSON.stringify({ received: acc.record.length, accepted: acc.accepted || 0 }) + '\n');
    } else if (req.method === 'GET' && verb === 'stats') {
      res.end(JSON.stringify({ answered_per_second: perSecond }) + '\n');
    } else if (req.method === 'POST' && verb === 'mode' && id) {
      try {
        const acc = account(id);
        const m = JSON.parse(body || '{}');
        if (m.mo) {
          const { from, text } = m.mo;
          delete m.mo;
          for (const s of acc.sessions) {
            s.deliver_sm({ source_addr: from, destination_addr: 'LANTOA', esm_class: 0, short_message: text });
            break;
          }
        }
        Object.assign(acc.mode, m);
        res.end('ok\n');
      } catch (e) { res.statusCode = 400; res.end(String(e)); }
    } else if (req.method === 'POST' && verb === 'reset' && id) {
      const acc = account(id);
      acc.record = []; acc.mode = {}; acc.accepted = 0; acc.waiting = [];
      res.end('ok\n');
    } else {
      res.statusCode = 404; res.end('unknown\n');
    }
  });
}).listen(Number(controlPort), '127.0.0.1', () => {
  console.log(`smsc simulator: smpp 127.0.0.1:${smppPort}, control 127.0.0.1:${controlPort}`);
});
