//! Lantoa's notify module: reaching citizens by SMS.
//!
//! This part holds what comes before a message is sent: recipient lists read from agencies'
//! files ([`audience`]: numbers normalised, routed to their operator, ported numbers honoured,
//! repeats kept once, every refused row reported), the text's encoding, segments, cost and
//! unaccented variant ([`message`]), the rules law sets ([`rules`], from
//! `data/notify/rules.toml`), and campaigns drafted by a communicator and approved by a second
//! person who has seen their plan ([`Notify`]).
#![deny(missing_docs)]

pub use alerts::{NewAlert, StoredAlert};
pub use demo::DemoReport;
pub use demo_year::YearReport;
pub use dispatch::{DispatchConfig, Dispatcher};
pub use error::{Error, Result};
pub use queue::{
    BindStatus, ClaimFor, Claimed, DELIVERIES_PAGE_MAX, Delivery, Event, FigureRow, Figures,
    MAX_ATTEMPTS, MESSAGE_STATES, OperatorProgress, PartState, Progress, Sendable, TEST_LIST_MAX,
};
pub use service::{
    Campaign, CampaignStatus, Estimate, List, Move, NewCampaign, Notify, OPTOUT_SOURCES,
    OperatorPlan, Plan, Step, Taker,
};

/// Migrations of the notify tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "notify",
    migrations: &[
        lantoa_store::migration!(1, "0001_lists_campaigns.sql"),
        lantoa_store::migration!(2, "0002_dispatch.sql"),
        lantoa_store::migration!(3, "0003_queue_indexes.sql"),
        lantoa_store::migration!(4, "0004_recipients_clustered.sql"),
        lantoa_store::migration!(5, "0005_alerts.sql"),
        lantoa_store::migration!(6, "0006_broadcasts.sql"),
        lantoa_store::migration!(7, "0007_channels_speakers.sql"),
        lantoa_store::migration!(8, "0008_notices.sql"),
        lantoa_store::migration!(9, "0009_bulletin_campaign.sql"),
        lantoa_store::migration!(10, "0010_alert_expiry.sql"),
        lantoa_store::migration!(11, "0011_receipt_recipient.sql"),
        lantoa_store::migration!(12, "0012_progress_counts.sql"),
        lantoa_store::migration!(13, "0013_search_keys.sql"),
        lantoa_store::migration!(14, "0014_queue_in_steps.sql"),
    ],
};

pub mod alerts;
pub mod audience;
pub mod broadcast;
pub mod browse;
pub mod cap;
mod demo;
pub mod demo_smsc;
mod demo_year;
mod dispatch;
mod error;
pub mod message;
pub mod notices;
pub mod pace;
mod queue;
pub mod rules;
mod service;
pub mod smpp;
pub mod speakers;
pub mod speech;
pub mod topics;
pub mod tts;
