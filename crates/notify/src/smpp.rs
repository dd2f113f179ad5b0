//! The SMPP 3.4 side of sending: the operators' SMSCs as configured, a bound transceiver
//! session on the `rusmpp` codec, what an SMSC's answer to `submit_sm` means for the message,
//! and what a `deliver_sm` carries (a delivery receipt, or a citizen's reply).

use std::str::FromStr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiver, SubmitSm};
use rusmpp::tlvs::{TlvTag, TlvValue};
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{
    DataCoding, EsmClass, InterfaceVersion, MessageState, Npi, RegisteredDelivery, Ton,
};
use rusmpp::{Command, CommandStatus, Pdu};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

/// One operator SMSC Lantoa binds to (`[[notify.smsc]]` in lantoa.toml).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Smsc {
    /// A short name, unique among SMSCs (`viettel-1`); receipts are matched within it.
    pub name: String,
    /// The operators (numbering-plan ids) whose subscribers it carries.
    pub operators: Vec<String>,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The account's system id.
    pub system_id: String,
    /// The account's password (at most 8 characters in SMPP 3.4).
    pub password: String,
    /// The account's system type, if the operator gave one.
    #[serde(default)]
    pub system_type: String,
    /// Transceiver binds to hold open at once (the account's limit).
    #[serde(default = "defaults::binds")]
    pub binds: usize,
    /// Messages per second the contract allows on each bind.
    #[serde(default = "defaults::tps")]
    pub tps: u32,
    /// The most `submit_sm` outstanding on one bind; the window in use is sized below this
    /// from the rate the SMSC accepts and the time it takes to answer.
    #[serde(default = "defaults::window")]
    pub max_window: usize,
    /// Seconds without traffic before an `enquire_link`.
    #[serde(default = "defaults::enquire_link")]
    pub enquire_link_secs: u64,
    /// Seconds to wait for any answer before the bind is taken as broken.
    #[serde(default = "defaults::response_timeout")]
    pub response_timeout_secs: u64,
}

mod defaults {
    pub fn binds() -> usize {
        1
    }
    pub fn tps() -> u32 {
        100
    }
    pub fn window() -> usize {
        50
    }
    pub fn enquire_link() -> u64 {
        30
    }
    pub fn response_timeout() -> u64 {
        30
    }
}

impl Smsc {
    /// What is wrong with this entry, if anything.
    pub fn problem(&self) -> Option<String> {
        let name = &self.name;
        if name.trim().is_empty() {
            return Some("an SMSC without a name".into());
        }
        if self.operators.is_empty() {
            return Some(format!("SMSC {name}: operators is empty"));
        }
        if self.system_id.is_empty() || self.system_id.len() > 15 {
            return Some(format!("SMSC {name}: system_id must be 1 to 15 characters"));
        }
        if self.password.len() > 8 {
            return Some(format!(
                "SMSC {name}: password must be at most 8 characters"
            ));
        }
        if self.binds == 0 || self.tps == 0 || self.max_window == 0 {
            return Some(format!(
                "SMSC {name}: binds, tps and max_window must be above 0"
            ));
        }
        None
    }
}

/// Why a bind could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The SMSC could not be reached.
    #[error("cannot reach {addr}: {source}")]
    Connect {
        /// Where.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The SMSC refused the bind (wrong credentials, too many binds…).
    #[error("the SMSC refused the bind: {0}; check system_id and password")]
    Refused(String),
    /// No answer in time, or an answer that was not a bind response.
    #[error("{0}")]
    Protocol(String),
}

/// A bound transceiver session.
pub type Session = Framed<TcpStream, CommandCodec>;

/// A field as an SMPP C-octet string, or the reason it cannot be one.
fn c_octets<const MIN: usize, const MAX: usize>(
    field: &str,
    value: &str,
) -> Result<COctetString<MIN, MAX>, String> {
    COctetString::from_str(value).map_err(|e| format!("{field} {value:?}: {e}"))
}

/// Connects and binds as a transceiver (SMPP 3.4).
pub async fn bind(smsc: &Smsc) -> Result<Session, BindError> {
    let addr = format!("{}:{}", smsc.host, smsc.port);
    let wait = Duration::from_secs(smsc.response_timeout_secs.max(1));
    let stream = tokio::time::timeout(wait, TcpStream::connect(&addr))
        .await
        .map_err(|_| BindError::Connect {
            addr: addr.clone(),
            source: std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out"),
        })?
        .map_err(|source| BindError::Connect {
            addr: addr.clone(),
            source,
        })?;
    let _ = stream.set_nodelay(true);
    let mut framed = Framed::new(stream, CommandCodec::new());
    let pdu = BindTransceiver::builder()
        .system_id(c_octets("system_id", &smsc.system_id).map_err(BindError::Protocol)?)
        .password(c_octets("password", &smsc.password).map_err(BindError::Protocol)?)
        .system_type(c_octets("system_type", &smsc.system_type).map_err(BindError::Protocol)?)
        .interface_version(InterfaceVersion::Smpp3_4)
        .addr_ton(Ton::Unknown)
        .addr_npi(Npi::Unknown)
        .address_range(COctetString::empty())
        .build();
    framed
        .send(Command::new(CommandStatus::EsmeRok, 1, Pdu::from(pdu)))
        .await
        .map_err(|e| BindError::Protocol(format!("cannot send bind_transceiver: {e}")))?;
    let answer = tokio::time::timeout(wait, framed.next())
        .await
        .map_err(|_| BindError::Protocol(format!("no answer to bind_transceiver in {wait:?}")))?;
    match answer {
        Some(Ok(c))
            if matches!(c.pdu(), Some(Pdu::BindTransceiverResp(_)))
                || c.status() != CommandStatus::EsmeRok =>
        {
            if c.status() == CommandStatus::EsmeRok {
                Ok(framed)
            } else {
                Err(BindError::Refused(status_name(u32::from(c.status()))))
            }
        }
        Some(Ok(c)) => Err(BindError::Protocol(format!(
            "answer to bind_transceiver was {:?}",
            c.id()
        ))),
        Some(Err(e)) => Err(BindError::Protocol(format!(
            "unreadable answer to bind: {e}"
        ))),
        None => Err(BindError::Protocol(
            "the SMSC closed the connection on bind".into(),
        )),
    }
}

/// What an SMSC's `command_status` for a `submit_sm` means for the part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Taken, under this message id.
    Accepted(String),
    /// Too fast (0x58 throttled, 0x14 queue full): slow down and send it again.
    Throttled,
    /// It may or may not have been taken (0x08 system error, 0x45 submit failed): the
    /// campaign's policy decides whether it is sent again.
    Ambiguous(String),
    /// Refused for good, with the reason.
    Permanent(String),
}

/// Classifies a `submit_sm_resp` (or `generic_nack`) status.
pub fn classify(status: u32, message_id: &str) -> Answer {
    match status {
        0x00 => Answer::Accepted(message_id.to_owned()),
        0x58 | 0x14 => Answer::Throttled,
        0x08 | 0x45 => Answer::Ambiguous(status_name(status)),
        other => Answer::Permanent(status_name(other)),
    }
}

/// A status as `ESME_RTHROTTLED (0x58)`.
pub fn status_name(status: u32) -> String {
    let name = match status {
        0x00 => "ESME_ROK",
        0x01 => "ESME_RINVMSGLEN",
        0x02 => "ESME_RINVCMDLEN",
        0x03 => "ESME_RINVCMDID",
        0x04 => "ESME_RINVBNDSTS",
        0x05 => "ESME_RALYBND",
        0x08 => "ESME_RSYSERR",
        0x0A => "ESME_RINVSRCADR",
        0x0B => "ESME_RINVDSTADR",
        0x0D => "ESME_RBINDFAIL",
        0x0E => "ESME_RINVPASWD",
        0x0F => "ESME_RINVSYSID",
        0x14 => "ESME_RMSGQFUL",
        0x45 => "ESME_RSUBMITFAIL",
        0x48 => "ESME_RINVSRCTON",
        0x50 => "ESME_RINVDSTTON",
        0x58 => "ESME_RTHROTTLED",
        0x61 => "ESME_RINVSCHED",
        0x62 => "ESME_RINVEXPIRY",
        0x66 => "ESME_RX_P_APPN",
        0x67 => "ESME_RX_R_APPN",
        _ => "status",
    };
    format!("{name} (0x{status:02X})")
}

/// What a delivery receipt says of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// On the phone.
    Delivered,
    /// Will never be (rejected, deleted, undeliverable).
    Undeliverable,
    /// Its validity ran out before it could be.
    Expired,
}

impl Outcome {
    /// The part state it leads to.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Undeliverable => "undeliverable",
            Outcome::Expired => "expired",
        }
    }

    /// From a stored part state.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "delivered" => Some(Outcome::Delivered),
            "undeliverable" => Some(Outcome::Undeliverable),
            "expired" => Some(Outcome::Expired),
            _ => None,
        }
    }

    fn of_stat(stat: &str) -> Option<Self> {
        match stat {
            "DELIVRD" => Some(Outcome::Delivered),
            "EXPIRED" => Some(Outcome::Expired),
            "UNDELIV" | "REJECTD" | "DELETED" => Some(Outcome::Undeliverable),
            // ENROUTE, ACCEPTD, UNKNOWN: not final.
            _ => None,
        }
    }
}

/// A receipt's message id and `stat:` from its text (`id:… sub:… stat:DELIVRD err:…`), the
/// form SMPP 3.4's appendix B gives; `None` when the text has no id or no final state.
pub fn parse_receipt_text(text: &str) -> Option<(String, Outcome)> {
    let mut id = None;
    let mut stat = None;
    for word in text.split_whitespace() {
        let (key, value) = match word.split_once(':') {
            Some(kv) => kv,
            None => continue,
        };
        match key.to_ascii_lowercase().as_str() {
            "id" if id.is_none() && !value.is_empty() => id = Some(value.to_owned()),
            "stat" if stat.is_none() => stat = Some(value.to_ascii_uppercase()),
            _ => {}
        }
    }
    Some((id?, Outcome::of_stat(&stat?)?))
}

/// What a `deliver_sm` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// A delivery receipt for one of our messages.
    Receipt {
        /// The SMSC's id of the message.
        smsc_id: String,
        /// What happened to it.
        outcome: Outcome,
        /// The number it went to, as the SMSC gives it (the receipt's source).
        recipient: String,
    },
    /// A receipt that is not final yet (en route, accepted), or one Lantoa cannot read.
    Other,
    /// A citizen's reply.
    Reply {
        /// Their number, as the SMSC gives it.
        from: String,
        /// Their text.
        text: String,
    },
}

/// Reads a `deliver_sm`: a receipt when its `esm_class` says so (message type 0x04), from the
/// `receipted_message_id` and `message_state` TLVs when present, else from its text.
pub fn read_deliver(
    esm_class: u8,
    tlvs: &[rusmpp::tlvs::Tlv],
    source: &str,
    short_message: &[u8],
    data_coding: u8,
) -> Delivered {
    let text = if data_coding == 8 {
        let units: Vec<u16> = short_message
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(short_message).into_owned()
    };
    if esm_class & 0x3C != 0x04 {
        return Delivered::Reply {
            from: source.to_owned(),
            text,
        };
    }
    let mut id = None;
    let mut state = None;
    for tlv in tlvs {
        match (tlv.tag(), tlv.value()) {
            (TlvTag::ReceiptedMessageId, Some(TlvValue::ReceiptedMessageId(v))) => {
                id = Some(c_string(v.as_ref()));
            }
            (TlvTag::MessageState, Some(TlvValue::MessageState(s))) => state = Some(*s),
            _ => {}
        }
    }
    let from_text = parse_receipt_text(&text);
    let outcome = match state {
        Some(MessageState::Delivered) => Some(Outcome::Delivered),
        Some(MessageState::Expired) => Some(Outcome::Expired),
        Some(MessageState::Undeliverable | MessageState::Rejected | MessageState::Deleted) => {
            Some(Outcome::Undeliverable)
        }
        Some(_) => None,
        None => from_text.as_ref().map(|(_, o)| *o),
    };
    match (id.or(from_text.map(|(i, _)| i)), outcome) {
        (Some(smsc_id), Some(outcome)) => Delivered::Receipt {
            smsc_id,
            outcome,
            recipient: source.to_owned(),
        },
        _ => Delivered::Other,
    }
}

/// A C-octet string's text, without its terminating NUL.
pub fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// One part as it goes out.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    /// The brandname.
    pub source: &'a str,
    /// The recipient in international form without `+` (`84912345678`).
    pub destination: &'a str,
    /// `data_coding`: 0 GSM-7, 8 UCS-2.
    pub data_coding: u8,
    /// `(reference, total, sequence)` when the message is concatenated.
    pub concat: Option<(u8, u8, u8)>,
    /// The encoded text of this part.
    pub bytes: &'a [u8],
}

/// The `submit_sm` for one part, asking for a delivery receipt; a UDH (`05 00 03 ref total
/// seq`) leads the short message of a concatenated one.
pub fn submit_sm(part: &Part<'_>) -> Result<Pdu, String> {
    let mut short = Vec::with_capacity(part.bytes.len() + 6);
    let mut esm = 0u8;
    if let Some((reference, total, seq)) = part.concat {
        short.extend_from_slice(&[0x05, 0x00, 0x03, reference, total, seq]);
        esm |= 0x40;
    }
    short.extend_from_slice(part.bytes);
    let source_ton = if part.source.chars().all(|c| c.is_ascii_digit()) {
        Ton::National
    } else {
        Ton::Alphanumeric
    };
    let pdu = SubmitSm::builder()
        .source_addr_ton(source_ton)
        .source_addr_npi(Npi::Unknown)
        .source_addr(c_octets("brandname", part.source)?)
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(c_octets("number", part.destination)?)
        .esm_class(EsmClass::from(esm))
        .registered_delivery(RegisteredDelivery::from(0x01))
        .data_coding(DataCoding::from(part.data_coding))
        .short_message(OctetString::from_vec(short).map_err(|e| format!("text: {e}"))?)
        .build();
    Ok(Pdu::from(pdu))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classed_as_the_issue_and_the_spec_say() {
        assert_eq!(classify(0, "7"), Answer::Accepted("7".into()));
        assert_eq!(classify(0x58, ""), Answer::Throttled);
        assert_eq!(classify(0x14, ""), Answer::Throttled);
        assert_eq!(
            classify(0x45, ""),
            Answer::Ambiguous("ESME_RSUBMITFAIL (0x45)".into())
        );
        assert_eq!(
            classify(0x08, ""),
            Answer::Ambiguous("ESME_RSYSERR (0x08)".into())
        );
        assert_eq!(
            classify(0x0B, ""),
            Answer::Permanent("ESME_RINVDSTADR (0x0B)".into())
        );
        assert_eq!(
            classify(0x401, ""),
            Answer::Permanent("status (0x401)".into())
        );
    }

    #[test]
    fn receipt_texts_give_their_id_and_final_state() {
        let t = "id:SIM42 sub:001 dlvrd:001 submit date:2611281200 done date:2611281201 stat:DELIVRD err:000 text:Xin chao";
        assert_eq!(
            parse_receipt_text(t),
            Some(("SIM42".into(), Outcome::Delivered))
        );
        assert_eq!(
            parse_receipt_text("id:9 stat:UNDELIV err:001"),
            Some(("9".into(), Outcome::Undeliverable))
        );
        assert_eq!(
            parse_receipt_text("id:9 stat:EXPIRED"),
            Some(("9".into(), Outcome::Expired))
        );
        assert_eq!(parse_receipt_text("id:9 stat:ENROUTE"), None);
        assert_eq!(parse_receipt_text("stat:DELIVRD"), None);
        assert_eq!(parse_receipt_text(""), None);
    }

    #[test]
    fn a_deliver_sm_without_the_receipt_type_is_a_reply() {
        assert_eq!(
            read_deliver(0, &[], "84912345678", b"TU CHOI", 0),
            Delivered::Reply {
                from: "84912345678".into(),
                text: "TU CHOI".into()
            }
        );
        assert_eq!(
            read_deliver(0x04, &[], "x", b"id:5 stat:DELIVRD", 0),
            Delivered::Receipt {
                smsc_id: "5".into(),
                outcome: Outcome::Delivered,
                recipient: "x".into(),
            }
        );
    }

    #[test]
    fn a_concatenated_part_carries_its_udh_and_the_udhi_flag() {
        let pdu = submit_sm(&Part {
            source: "SoTTTT",
            destination: "84912345678",
            data_coding: 8,
            concat: Some((7, 2, 1)),
            bytes: &[0, 0x41],
        })
        .unwrap();
        let Pdu::SubmitSm(sm) = pdu else {
            panic!("not a submit_sm")
        };
        assert_eq!(u8::from(sm.esm_class), 0x40);
        assert_eq!(
            sm.short_message().as_ref(),
            &[0x05, 0x00, 0x03, 7, 2, 1, 0, 0x41]
        );
    }
}
