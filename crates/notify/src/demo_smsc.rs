//! The demo city's SMSC: a small SMPP server on loopback that `lantoa serve --demo` binds to, so
//! a newcomer can send a campaign and watch its receipts come back. It accepts any transceiver
//! bind, answers each `submit_sm` with an id and sends a delivery receipt (TLVs and text) a
//! moment later: delivered, except to numbers ending in 7, which come back undeliverable so the
//! demo shows failures too. It is a demo, not a test: the tests use an independent simulator
//! (`tools/smsc-sim`, on node-smpp).

use std::str::FromStr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiverResp, DeliverSm, SubmitSmResp};
use rusmpp::tlvs::MessageDeliveryRequestTlvValue;
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{EsmClass, MessageState};
use rusmpp::{Command, CommandStatus, Pdu};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_util::codec::Framed;

/// The dispatcher's settings for the demo SMSC listening on `port` of loopback: every operator
/// of the numbering plan, one bind.
pub fn smsc(port: u16) -> crate::smpp::Smsc {
    crate::smpp::Smsc {
        name: "demo-smsc".into(),
        operators: lantoa_core::phone::NumberingPlan::builtin()
            .operators()
            .iter()
            .map(|o| o.id.clone())
            .collect(),
        host: "127.0.0.1".into(),
        port,
        system_id: "lantoa-demo".into(),
        password: "demo".into(),
        system_type: String::new(),
        binds: 1,
        tps: 50,
        max_window: 10,
        enquire_link_secs: 30,
        response_timeout_secs: 30,
    }
}

/// Serves SMPP on `listener` until `stop` turns true.
pub async fn serve(listener: TcpListener, mut stop: watch::Receiver<bool>) {
    let mut next = 1u64;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let start = next;
                next += 1_000_000;
                tokio::spawn(session(stream, start, stop.clone()));
            }
            _ = stop.changed() => return,
        }
    }
}

async fn session(stream: tokio::net::TcpStream, first_id: u64, mut stop: watch::Receiver<bool>) {
    let (mut sink, mut source) = Framed::new(stream, CommandCodec::new()).split();
    // Receipts are sent by the same writer as answers, after a pause, through this channel.
    let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
    let mut id = first_id;
    let mut seq = 1u32;
    loop {
        let command = tokio::select! {
            c = source.next() => match c {
                Some(Ok(c)) => c,
                _ => return,
            },
            Some(receipt) = rx.recv() => {
                if sink.send(receipt).await.is_err() {
                    return;
                }
                continue;
            }
            _ = stop.changed() => return,
        };
        let n = command.sequence_number();
        let answer = match command.pdu() {
            Some(Pdu::BindTransceiver(_)) => Pdu::from(
                BindTransceiverResp::builder()
                    .system_id(COctetString::from_str("LANTOA-DEMO").unwrap_or_default())
                    .build(),
            ),
            Some(Pdu::EnquireLink) => Pdu::EnquireLinkResp,
            Some(Pdu::Unbind) => {
                let _ = sink
                    .send(Command::new(CommandStatus::EsmeRok, n, Pdu::UnbindResp))
                    .await;
                return;
            }
            Some(Pdu::SubmitSm(sm)) => {
                id += 1;
                let message_id = format!("DEMO{id}");
                let to = crate::smpp::c_string(sm.destination_addr.as_ref());
                let from = crate::smpp::c_string(sm.source_addr.as_ref());
                let (stat, state) = if to.ends_with('7') {
                    ("UNDELIV", MessageState::Undeliverable)
                } else {
                    ("DELIVRD", MessageState::Delivered)
                };
                seq += 1;
                if let Some(receipt) = receipt(&message_id, &to, &from, stat, state) {
                    let tx = tx.clone();
                    let seq = seq;
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(400)).await;
                        let _ = tx.send(Command::new(CommandStatus::EsmeRok, seq, receipt));
                    });
                }
                Pdu::from(
                    SubmitSmResp::builder()
                        .message_id(COctetString::from_str(&message_id).unwrap_or_default())
                        .build(),
                )
            }
            _ => continue,
        };
        if sink
            .send(Command::new(CommandStatus::EsmeRok, n, answer))
            .await
            .is_err()
        {
            return;
        }
    }
}

fn receipt(id: &str, to: &str, from: &str, stat: &str, state: MessageState) -> Option<Pdu> {
    let text = format!(
        "id:{id} sub:001 dlvrd:{} submit date:0000000000 done date:0000000000 stat:{stat} err:000 text:",
        if stat == "DELIVRD" { "001" } else { "000" }
    );
    let mut d = DeliverSm::builder()
        .source_addr(COctetString::from_str(to).ok()?)
        .destination_addr(COctetString::from_str(from).ok()?)
        .esm_class(EsmClass::from(0x04))
        .short_message(OctetString::from_vec(text.into_bytes()).ok()?)
        .build();
    d.push_tlv(MessageDeliveryRequestTlvValue::ReceiptedMessageId(
        COctetString::from_str(id).ok()?,
    ));
    d.push_tlv(MessageDeliveryRequestTlvValue::MessageState(state));
    Some(Pdu::from(d))
}
