//! The dispatcher: binds to the operators' SMSCs and sends the queue.
//!
//! Each configured SMSC gets its binds (tasks), each a transceiver session that claims messages
//! of its operators from the queue, keeps an asynchronous window of outstanding `submit_sm`,
//! holds to its rate (a token bucket at the contract's TPS that follows what the SMSC takes
//! when it throttles: `pace.rs`), sizes its window from the rate and the time the SMSC takes to
//! answer (so a slow SMSC gets fewer outstanding messages instead of timeouts and resends),
//! sends `enquire_link` when idle, and reconnects with backoff when the connection fails. All
//! it learns goes to one recorder task that writes it in batches. The main loop renews this
//! dispatcher's leases, takes back messages of dispatchers that stopped, matches late receipts
//! and marks finished campaigns sent. Several dispatchers (`lantoa worker --role dispatch` on
//! more machines) share the queue: claims are transactions on the messages' state.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{FutureExt as _, SinkExt, StreamExt};
use rusmpp::{Command, CommandId, CommandStatus, Pdu};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};

use lantoa_core::msg::Describe as _;

use crate::message::{self, Template};
use crate::queue::{BindStatus, Event, MAX_ATTEMPTS, Sendable};
use crate::smpp::{self, Answer, Delivered, Smsc};
use crate::{Error, Notify, Result};

/// The dispatcher's settings (`[notify]` in lantoa.toml).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DispatchConfig {
    /// The SMSCs to bind to.
    #[serde(default)]
    pub smsc: Vec<Smsc>,
    /// Seconds a dispatcher holds the messages in its windows without renewing; after that
    /// another dispatcher takes them back (marking their outstanding parts uncertain).
    #[serde(default = "default_lease")]
    pub lease_secs: u64,
    /// A rules file replacing the shipped `data/notify/rules.toml` (quiet hours, caps, prices).
    #[serde(default)]
    pub rules: Option<std::path::PathBuf>,
    /// The operators' endpoints for broadcast requests (`[[notify.broadcast]]`).
    #[serde(default)]
    pub broadcast: Vec<crate::broadcast::Endpoint>,
    /// The speech engine of loudspeaker bulletins (`[notify.speech]`); espeak-ng's Vietnamese
    /// voice when not set.
    #[serde(default)]
    pub speech: crate::tts::SpeechConfig,
}

fn default_lease() -> u64 {
    60
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            smsc: Vec::new(),
            lease_secs: default_lease(),
            rules: None,
            broadcast: Vec::new(),
            speech: crate::tts::SpeechConfig::default(),
        }
    }
}

impl DispatchConfig {
    /// What is wrong with it, if anything.
    pub fn problem(&self) -> Option<String> {
        let mut names = std::collections::HashSet::new();
        for s in &self.smsc {
            if let Some(p) = s.problem() {
                return Some(p);
            }
            if !names.insert(s.name.as_str()) {
                return Some(format!("two SMSCs are named {}", s.name));
            }
        }
        (self.lease_secs == 0).then(|| "lease_secs must be above 0".into())
    }
}

/// Sends the queue over the configured SMSCs.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    notify: Notify,
    config: Arc<DispatchConfig>,
    owner: String,
    /// Held by every write this dispatcher makes (claims, records, housekeeping): its writers
    /// queue here, in order, instead of meeting in SQLite's busy handler, which sleeps.
    writes: Arc<tokio::sync::Mutex<()>>,
}

/// How long a bind with nothing to send waits before it looks at the queue again.
const IDLE_POLL: Duration = Duration::from_millis(200);
/// PDUs a bind reads from its socket at most in one turn of its loop before it writes.
const READ_PER_TURN: usize = 256;

/// How often a bind re-reads which campaigns may go (a cancel is seen within this).
const CAMPAIGNS_REFRESH: Duration = Duration::from_millis(500);
/// Events recorded in one transaction at most.
const RECORD_BATCH: usize = 5000;

impl Dispatcher {
    /// A dispatcher named `owner` (unique per process: host, pid and a random part).
    pub fn new(notify: Notify, config: DispatchConfig, owner: impl Into<String>) -> Result<Self> {
        let plan = notify.numbering_plan();
        let unknown = config.smsc.iter().find_map(|s| {
            s.operators
                .iter()
                .find(|op| !plan.operators().iter().any(|o| &o.id == *op))
                .map(|op| (s, op))
        });
        let problem = config.problem().or_else(|| {
            unknown.map(|(s, op)| {
                format!(
                    "SMSC {}: operator \"{op}\" is not in the numbering plan; operators are {}",
                    s.name,
                    plan.operators()
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        });
        if let Some(p) = problem {
            return Err(Error::Unavailable(format!("notify.smsc: {p}")));
        }
        Ok(Self {
            notify,
            config: Arc::new(config),
            owner: owner.into(),
            writes: Arc::default(),
        })
    }

    /// Its name in leases.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn lease(&self) -> Duration {
        Duration::from_secs(self.config.lease_secs)
    }

    /// Runs until `stop` turns true: binds send, the recorder writes, leases are renewed.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        if let Err(e) = self.notify.recover().await {
            tracing::warn!(error = %e, "cannot take back messages of stopped dispatchers");
        }
        let (tx, rx) = mpsc::channel::<Recorded>(4 * RECORD_BATCH);
        let (claims, asks) = mpsc::unbounded_channel::<ClaimAsk>();
        let recorder = tokio::spawn(record(self.notify.clone(), rx, asks, self.writes.clone()));
        let mut binds = Vec::new();
        for smsc in &self.config.smsc {
            for i in 0..smsc.binds {
                let b = Bind {
                    notify: self.notify.clone(),
                    smsc: Arc::new(smsc.clone()),
                    name: format!("{}#{}@{}", smsc.name, i + 1, self.owner),
                    owner: self.owner.clone(),
                    lease: self.lease(),
                    events: tx.clone(),
                    claims: claims.clone(),
                    stop: stop.clone(),
                };
                binds.push(tokio::spawn(b.run()));
            }
        }
        drop(tx);
        drop(claims);
        let tick = (self.lease() / 3).clamp(Duration::from_millis(200), Duration::from_secs(5));
        loop {
            if *stop.borrow() {
                break;
            }
            self.housekeeping().await;
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = stop.changed() => {}
            }
        }
        for b in binds {
            let _ = b.await;
        }
        let _ = recorder.await;
        if let Err(e) = self.notify.finish_campaigns().await {
            tracing::warn!(error = %e, "dispatcher cannot finish campaigns");
        }
        // The last answers are recorded; release what is left.
        if let Err(e) = self
            .notify
            .renew(&self.owner, self.notify.clock.now_micros())
            .await
        {
            tracing::warn!(error = %e, "cannot release this dispatcher's leases");
        }
    }

    async fn housekeeping(&self) {
        // Approved campaigns whose queueing a stopped process left half done.
        self.notify.continue_queueing();
        let _writing = self.writes.lock().await;
        let until = self.notify.clock.now_micros() + self.lease().as_micros() as i64;
        let steps: [(&str, Result<()>); 5] = [
            ("renew leases", self.notify.renew(&self.owner, until).await),
            (
                "take back messages",
                self.notify.recover().await.map(|_| ()),
            ),
            (
                "match receipts",
                self.notify.match_receipts().await.map(|_| ()),
            ),
            (
                "settle uncertain parts by their receipts",
                self.notify.settle_uncertain().await.map(|_| ()),
            ),
            (
                "finish campaigns",
                self.notify.finish_campaigns().await.map(|ids| {
                    for id in ids {
                        tracing::info!(campaign = id, "campaign sent");
                    }
                }),
            ),
        ];
        for (what, r) in steps {
            if let Err(e) = r {
                tracing::warn!(error = %e, "dispatcher cannot {what}");
            }
        }
    }
}

/// An event for the recorder, and who waits for it to be written (a `deliver_sm` is answered
/// only then: an SMSC keeps a receipt it had no answer for and sends it again, so a receipt is
/// never lost between the answer and the write).
#[derive(Debug)]
struct Recorded {
    event: Event,
    written: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A bind's request for messages to send: up to `budget` parts of the first of `campaigns`
/// and of its SMSC's operators (in rotation from `operator`) that has any queued. The recorder
/// answers on `reply` once the claim is committed.
struct ClaimAsk {
    campaigns: Vec<Sendable>,
    smsc: Arc<Smsc>,
    operator: usize,
    owner: String,
    lease_until: i64,
    budget: i64,
    reply: tokio::sync::oneshot::Sender<Result<Option<ClaimBatch>>>,
}

/// Writes events in batches, and takes the binds' claims in the same transactions, until every
/// bind has stopped. One transaction for both halves the commits, and a claim never waits for
/// a lock the recorder holds: it goes in with the next batch. A failed write is retried, never
/// dropped (if the process dies first, the parts stay in `window` and are marked uncertain).
/// Whoever waits on an event is told once its batch is written; a claim is answered once its
/// parts are committed in `window`, so nothing goes on the wire before it is written.
async fn record(
    notify: Notify,
    mut events: mpsc::Receiver<Recorded>,
    mut claims: mpsc::UnboundedReceiver<ClaimAsk>,
    writes: Arc<tokio::sync::Mutex<()>>,
) {
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    let mut waiting = Vec::new();
    let mut asks: Vec<ClaimAsk> = Vec::new();
    let (mut events_open, mut claims_open) = (true, true);
    loop {
        tokio::select! {
            r = events.recv(), if events_open => match r {
                Some(r) => {
                    batch.push(r.event);
                    waiting.extend(r.written);
                }
                None => events_open = false,
            },
            c = claims.recv(), if claims_open => match c {
                Some(c) => asks.push(c),
                None => claims_open = false,
            },
            else => break,
        }
        while let Ok(c) = claims.try_recv() {
            asks.push(c);
        }
        while batch.len() < RECORD_BATCH {
            match events.try_recv() {
                Ok(r) => {
                    batch.push(r.event);
                    waiting.extend(r.written);
                }
                Err(_) => break,
            }
        }
        if batch.is_empty() && asks.is_empty() {
            continue;
        }
        let mut wait = Duration::from_millis(100);
        let claimed = loop {
            let written = {
                let _writing = writes.lock().await;
                write(&notify, &batch, &asks).await
            };
            match written {
                Ok(claimed) => break claimed,
                Err(e) => {
                    tracing::warn!(error = %e, events = batch.len(), claims = asks.len(), "cannot record sending events; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(10));
                }
            }
        };
        batch.clear();
        for w in waiting.drain(..) {
            let _ = w.send(());
        }
        for (ask, claimed) in asks.drain(..).zip(claimed) {
            // Every bind waits for its claim, even when it stops (`release_unsent`); one whose
            // task died leaves the parts in `window` for recovery, as a dead dispatcher does.
            let _ = ask.reply.send(claimed);
        }
    }
}

/// One transaction: the events, then each claim in a savepoint of its own (a claim that fails
/// is answered with its error and takes nothing else with it). Returns each claim's outcome.
async fn write(
    notify: &Notify,
    events: &[Event],
    asks: &[ClaimAsk],
) -> Result<Vec<Result<Option<ClaimBatch>>>> {
    use sqlx::Acquire as _;
    let mut writer = notify.db.writer().await?;
    let mut tx = writer.begin().await?;
    if !events.is_empty() {
        notify.record_in(&mut tx, events).await?;
    }
    let mut out = Vec::with_capacity(asks.len());
    for ask in asks {
        let mut point = tx.begin().await?;
        let claimed = claim_batch(notify, &mut point, ask).await;
        if claimed.is_ok() {
            point.commit().await?;
        } else {
            point.rollback().await?;
        }
        out.push(claimed);
    }
    tx.commit().await?;
    Ok(out)
}

/// A claim's campaign, the operator's place in the bind's rotation, and the messages claimed.
type ClaimBatch = (Sendable, usize, Vec<crate::Claimed>);

/// Claims what `ask` asks for on `conn`; `None` when nothing is queued for the bind.
async fn claim_batch(
    notify: &Notify,
    conn: &mut sqlx::AnyConnection,
    ask: &ClaimAsk,
) -> Result<Option<ClaimBatch>> {
    let operators = &ask.smsc.operators;
    for c in &ask.campaigns {
        for k in 0..operators.len() {
            let op = &operators[(ask.operator + k) % operators.len()];
            let to = crate::queue::ClaimFor {
                operator: op,
                smsc: &ask.smsc.name,
                owner: &ask.owner,
                lease_until: ask.lease_until,
                parts_budget: ask.budget,
            };
            let claimed = notify.claim_in(conn, c, &to).await?;
            if !claimed.is_empty() {
                return Ok(Some((c.clone(), k, claimed)));
            }
        }
    }
    Ok(None)
}

/// What woke a bind's loop.
enum Woke<F> {
    /// A PDU from the SMSC, an error, or the end of the connection.
    Frame(Option<F>),
    /// The claim under way ended.
    Claimed(
        std::result::Result<Result<Option<ClaimBatch>>, tokio::sync::oneshot::error::RecvError>,
    ),
    /// A timer or the stop signal.
    Other,
    /// Messages were queued in this process.
    Queued,
}

/// A claim's outcome: its own, or the recorder's end before it answered.
fn joined(
    done: std::result::Result<Result<Option<ClaimBatch>>, tokio::sync::oneshot::error::RecvError>,
) -> Result<Option<ClaimBatch>> {
    done.map_err(|_| {
        Error::Unavailable("the recorder stopped before it answered the claim".into())
    })?
}

/// One part ready to go.
#[derive(Debug, Clone)]
struct Out {
    message: i64,
    part: i64,
    campaign: i64,
    total: usize,
    reference: u8,
    data_coding: u8,
    bytes: Arc<Vec<Vec<u8>>>,
    source: Arc<str>,
    destination: Arc<str>,
    attempts: i64,
    resend: bool,
}

/// A text's data coding and its parts' bytes.
type Encoded = (u8, Arc<Vec<Vec<u8>>>);

struct Flight {
    out: Out,
    sent: Instant,
}

struct Bind {
    notify: Notify,
    smsc: Arc<Smsc>,
    name: String,
    owner: String,
    lease: Duration,
    events: mpsc::Sender<Recorded>,
    claims: mpsc::UnboundedSender<ClaimAsk>,
    stop: watch::Receiver<bool>,
}

impl Bind {
    async fn status(&self, state: &str, detail: &str, tps: f64, window: usize) {
        let s = BindStatus {
            name: self.name.clone(),
            smsc: self.smsc.name.clone(),
            owner: self.owner.clone(),
            state: state.into(),
            detail: detail.into(),
            tps: tps.round() as i64,
            window: window as i64,
            updated_at: 0,
        };
        if let Err(e) = self.notify.set_bind(&s).await {
            tracing::warn!(error = %e, bind = %self.name, "cannot record the bind's state");
        }
    }

    async fn run(mut self) {
        let mut backoff = Duration::from_secs(1);
        loop {
            if *self.stop.borrow() {
                break;
            }
            self.status("connecting", "", 0.0, 0).await;
            match smpp::bind(&self.smsc).await {
                Ok(session) => {
                    backoff = Duration::from_secs(1);
                    tracing::info!(bind = %self.name, "bound");
                    let mut stop = self.stop.clone();
                    let why = Session::new(&self).run(session, &mut stop).await;
                    // Ending because the dispatcher was told to stop is the plan, not a fault.
                    if *self.stop.borrow() {
                        tracing::info!(bind = %self.name, reason = %why, "bind ended");
                    } else {
                        tracing::warn!(bind = %self.name, reason = %why, "bind ended");
                    }
                    self.status("down", &why, 0.0, 0).await;
                }
                Err(e) => {
                    tracing::warn!(bind = %self.name, error = %e, "cannot bind");
                    self.status("down", &e.to_string(), 0.0, 0).await;
                }
            }
            if *self.stop.borrow() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = self.stop.changed() => {}
            }
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
        self.status("stopped", "", 0.0, 0).await;
    }
}

/// One bound session's state.
struct Session<'a> {
    bind: &'a Bind,
    seq: u32,
    outstanding: HashMap<u32, Flight>,
    /// Sequence numbers in the order they were written, answered ones dropped lazily: its
    /// first outstanding entry is the oldest without a scan of the window.
    sent_order: VecDeque<u32>,
    pending: VecDeque<Out>,
    retry: VecDeque<(Instant, Out)>,
    campaigns: Vec<Sendable>,
    /// Each campaign's text without fields, encoded: its data coding and parts.
    bodies: HashMap<i64, Encoded>,
    refreshed: Option<Instant>,
    idle_until: Option<Instant>,
    operator: usize,
    /// The claim under way, if any: the recorder takes it beside the socket, so the window
    /// keeps going while the database works.
    claiming: Option<tokio::sync::oneshot::Receiver<Result<Option<ClaimBatch>>>>,
    /// How fast it sends (`pace.rs`), timed from `started`.
    pace: crate::pace::Pace,
    started: Instant,
    rtt: f64,
    last_rx: Instant,
    /// `deliver_sm`s waiting for their events to be written before they are answered.
    unanswered: VecDeque<(u32, tokio::sync::oneshot::Receiver<()>)>,
    enquire: Option<(u32, Instant)>,
    last_status: Instant,
    /// Since when the window has had room with nothing to send while a claim was under way
    /// (the bind starving), and how long that added up to since the last status.
    starving_since: Option<Instant>,
    starved: Duration,
    /// Answers fed to the sink and not yet flushed.
    unflushed: bool,
    /// Changes when this process queues messages: the queue is read again at once.
    queued: watch::Receiver<u64>,
}

impl<'a> Session<'a> {
    fn new(bind: &'a Bind) -> Self {
        let now = Instant::now();
        Self {
            bind,
            seq: 1,
            outstanding: HashMap::new(),
            sent_order: VecDeque::new(),
            pending: VecDeque::new(),
            retry: VecDeque::new(),
            campaigns: Vec::new(),
            bodies: HashMap::new(),
            refreshed: None,
            idle_until: None,
            operator: 0,
            claiming: None,
            pace: crate::pace::Pace::new(f64::from(bind.smsc.tps), 0.0),
            started: now,
            rtt: 0.05,
            last_rx: now,
            unanswered: VecDeque::new(),
            enquire: None,
            last_status: now,
            starving_since: None,
            starved: Duration::ZERO,
            unflushed: false,
            queued: bind.notify.queued.subscribe(),
        }
    }

    fn next_seq(&mut self) -> u32 {
        // Sequence numbers run 1..0x7FFFFFFF; the bind took 1.
        self.seq = if self.seq >= 0x7FFF_FFFF {
            2
        } else {
            self.seq + 1
        };
        self.seq
    }

    /// The window now: enough outstanding to keep the rate up at the observed answer time,
    /// never more than configured.
    fn window(&self) -> usize {
        // The answer time counted at least 20 ms: on a fast link a window of one or two would
        // stall the bind between answers, whatever the rate allows.
        let w = (self.pace.rate() * self.rtt.max(0.02) * 2.0).ceil() as usize;
        w.clamp(1, self.bind.smsc.max_window)
    }

    /// When the oldest part still without an answer was written.
    fn oldest_outstanding(&mut self) -> Option<Instant> {
        while let Some(seq) = self.sent_order.front() {
            match self.outstanding.get(seq) {
                Some(f) => return Some(f.sent),
                None => {
                    self.sent_order.pop_front();
                }
            }
        }
        None
    }

    async fn emit(&self, e: Event) {
        self.emit_then(e, None).await;
    }

    /// [`Session::emit`], telling `written` once the event is written.
    async fn emit_then(&self, event: Event, written: Option<tokio::sync::oneshot::Sender<()>>) {
        if self
            .bind
            .events
            .send(Recorded { event, written })
            .await
            .is_err()
        {
            tracing::error!("the event recorder stopped before its binds");
        }
    }

    /// Answers the `deliver_sm`s whose events are written, in the order they came.
    async fn answer_written(
        &mut self,
        sink: &mut futures::stream::SplitSink<smpp::Session, Command>,
    ) -> Option<String> {
        while let Some((seq, rx)) = self.unanswered.front_mut() {
            match rx.try_recv() {
                Ok(()) => {}
                Err(tokio::sync::oneshot::error::TryRecvError::Empty) => break,
                // The recorder is gone: the SMSC will send it again to a bind that can keep it.
                Err(tokio::sync::oneshot::error::TryRecvError::Closed) => {
                    self.unanswered.pop_front();
                    continue;
                }
            }
            let seq = *seq;
            self.unanswered.pop_front();
            if let Some(why) = answer_deliver(sink, seq).await {
                return Some(why);
            }
            self.unflushed = true;
        }
        None
    }

    async fn refresh(&mut self) -> Result<()> {
        let allowed = self.bind.notify.allowed_now();
        self.campaigns = self.bind.notify.sendable(allowed).await?;
        self.refreshed = Some(Instant::now());
        // Parts of campaigns that may no longer go (cancelled, quiet hours) go back unsent.
        let live: std::collections::HashSet<i64> = self.campaigns.iter().map(|c| c.id).collect();
        let mut dropped = Vec::new();
        self.pending.retain(|o| {
            let keep = live.contains(&o.campaign);
            if !keep {
                dropped.push((o.message, o.part));
            }
            keep
        });
        self.retry.retain(|(_, o)| {
            let keep = live.contains(&o.campaign);
            if !keep {
                dropped.push((o.message, o.part));
            }
            keep
        });
        for (message, part) in dropped {
            self.emit(Event::Unsent { message, part }).await;
        }
        Ok(())
    }

    /// Starts claiming messages, emergencies first, when fewer than two windows' parts wait to
    /// go and no claim is under way: at most a window's parts, so at most three windows' parts
    /// are written `window` before they are on the wire (what a crash leaves uncertain). Two
    /// windows ahead give a claim as long as two windows take to send before the bind runs dry:
    /// with one, a claim waiting behind the recorder's transaction left the bind idle for
    /// 2.6–3.0 s of a 16 s send at window 100; with two, 1.4–1.5 s (the bind logs the time at
    /// `debug`). Four or eight windows ahead sent faster on this machine (17,300 and 18,400
    /// against 15,600 messages a second in one run each) but leave up to five or nine windows
    /// uncertain at a kill, parts the SMSC never got that a campaign which does not resend
    /// never sends: not taken.
    /// The ask goes to the recorder ([`record`]), which claims in its next transaction.
    fn start_claim(&mut self) {
        let window = self.window();
        if self.claiming.is_some() || self.pending.len() + self.retry.len() >= 2 * window {
            return;
        }
        if self.campaigns.is_empty() {
            self.idle_until = Some(Instant::now() + IDLE_POLL);
            return;
        }
        let bind = self.bind;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let ask = ClaimAsk {
            campaigns: self.campaigns.clone(),
            smsc: bind.smsc.clone(),
            operator: self.operator,
            owner: bind.owner.clone(),
            lease_until: bind.notify.clock.now_micros() + bind.lease.as_micros() as i64,
            budget: window as i64,
            reply,
        };
        if bind.claims.send(ask).is_err() {
            tracing::error!("the event recorder stopped before its binds");
            self.idle_until = Some(Instant::now() + IDLE_POLL);
            return;
        }
        self.claiming = Some(answer);
    }

    /// Waits for the claim under way (if any) and puts what it claimed in line to go.
    async fn finish_claim(&mut self) -> Result<()> {
        let Some(task) = self.claiming.take() else {
            return Ok(());
        };
        self.claimed(joined(task.await))
    }

    /// Puts a finished claim's parts in line; nothing claimed: the queue is polled again later.
    fn claimed(&mut self, done: Result<Option<ClaimBatch>>) -> Result<()> {
        let Some((c, k, claimed)) = done? else {
            self.idle_until = Some(Instant::now() + IDLE_POLL);
            return Ok(());
        };
        let operators = &self.bind.smsc.operators;
        self.operator = (self.operator + k + 1) % operators.len();
        // A campaign's one text is encoded once; a rendered text per message.
        let body = match self.bodies.get(&c.id) {
            Some(b) => b.clone(),
            None => {
                let t = Template::parse(&c.body)
                    .map_err(|e| crate::error::invalid("body", e.message()))?;
                let (encoding, bytes) = message::encoded_parts(&t.render(|_| String::new()));
                let b = (encoding.data_coding(), Arc::new(bytes));
                self.bodies.insert(c.id, b.clone());
                b
            }
        };
        let source: Arc<str> = c.brandname.as_str().into();
        for m in &claimed {
            let (data_coding, bytes) = match m.text.as_deref() {
                None => body.clone(),
                Some(text) => {
                    let (encoding, bytes) = message::encoded_parts(text);
                    (encoding.data_coding(), Arc::new(bytes))
                }
            };
            let destination: Arc<str> =
                format!("84{}", m.phone.strip_prefix('0').unwrap_or(&m.phone)).into();
            for &(part, attempts) in &m.send {
                self.pending.push_back(Out {
                    message: m.id,
                    part,
                    campaign: c.id,
                    total: bytes.len(),
                    reference: (m.id % 256) as u8,
                    data_coding,
                    bytes: bytes.clone(),
                    source: source.clone(),
                    destination: destination.clone(),
                    attempts,
                    resend: c.resend_uncertain,
                });
            }
        }
        Ok(())
    }

    /// Seconds since the bind began, the pace's clock.
    fn clock(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    async fn run(mut self, session: smpp::Session, stop: &mut watch::Receiver<bool>) -> String {
        let (mut sink, mut stream) = session.split();
        let why = self.serve(&mut sink, &mut stream, stop).await;
        // Whatever is outstanding may have reached the SMSC; what was never written has not.
        let outstanding: Vec<Flight> = self.outstanding.drain().map(|(_, f)| f).collect();
        for f in outstanding {
            self.emit(Event::Uncertain {
                message: f.out.message,
                part: f.out.part,
                error: format!("no answer before the bind ended ({why}): it may or may not have reached the SMSC"),
            })
            .await;
        }
        self.release_unsent().await;
        why
    }

    /// Puts back every part claimed but never written (waiting for a token or a pause).
    async fn release_unsent(&mut self) {
        // What a claim under way takes is released with the rest.
        if let Err(e) = self.finish_claim().await {
            tracing::warn!(bind = %self.bind.name, error = %e, "a claim failed while the bind stopped; its messages return when their lease ends");
        }
        let unsent: Vec<Out> = self
            .pending
            .drain(..)
            .chain(self.retry.drain(..).map(|(_, o)| o))
            .collect();
        for o in unsent {
            self.emit(Event::Unsent {
                message: o.message,
                part: o.part,
            })
            .await;
        }
    }

    async fn serve(
        &mut self,
        sink: &mut futures::stream::SplitSink<smpp::Session, Command>,
        stream: &mut futures::stream::SplitStream<smpp::Session>,
        stop: &mut watch::Receiver<bool>,
    ) -> String {
        let timeout = Duration::from_secs(self.bind.smsc.response_timeout_secs.max(1));
        let enquire_every = Duration::from_secs(self.bind.smsc.enquire_link_secs.max(1));
        let mut stopping: Option<Instant> = None;
        loop {
            let now = Instant::now();
            if stopping.is_none() && *stop.borrow() {
                stopping = Some(now);
                self.release_unsent().await;
            }
            if let Some(since) = stopping {
                if self.outstanding.is_empty() || now.duration_since(since) > timeout {
                    let seq = self.next_seq();
                    let _ = sink
                        .send(Command::new(CommandStatus::EsmeRok, seq, Pdu::Unbind))
                        .await;
                    return "stopped".into();
                }
            } else {
                if self
                    .refreshed
                    .is_none_or(|t| now.duration_since(t) > CAMPAIGNS_REFRESH)
                    && let Err(e) = self.refresh().await
                {
                    return format!("cannot read the queue: {e}");
                }
                if self.idle_until.is_none_or(|t| now >= t) {
                    self.idle_until = None;
                    self.start_claim();
                }
            }
            if let Some(why) = self.answer_written(sink).await {
                return why;
            }
            // Throttled parts whose pause is over go first.
            while self.retry.front().is_some_and(|(t, _)| *t <= now) {
                if let Some((_, o)) = self.retry.pop_front() {
                    self.pending.push_front(o);
                }
            }
            let t = self.clock();
            self.pace.advance(t);
            let mut sent = false;
            while self.outstanding.len() < self.window()
                && !self.pending.is_empty()
                && self.pace.try_send(t)
            {
                let Some(out) = self.pending.pop_front() else {
                    break;
                };
                let pdu = smpp::submit_sm(&smpp::Part {
                    source: &out.source,
                    destination: &out.destination,
                    data_coding: out.data_coding,
                    concat: (out.total > 1).then_some((
                        out.reference,
                        out.total as u8,
                        out.part as u8,
                    )),
                    bytes: &out.bytes[(out.part - 1) as usize],
                });
                let pdu = match pdu {
                    Ok(p) => p,
                    Err(e) => {
                        self.emit(Event::Failed {
                            message: out.message,
                            part: out.part,
                            error: format!("cannot be sent: {e}"),
                        })
                        .await;
                        continue;
                    }
                };
                let seq = self.next_seq();
                self.sent_order.push_back(seq);
                self.outstanding.insert(
                    seq,
                    Flight {
                        out,
                        sent: Instant::now(),
                    },
                );
                if let Err(e) = sink
                    .feed(Command::new(CommandStatus::EsmeRok, seq, pdu))
                    .await
                {
                    return format!("cannot write to the SMSC: {e}");
                }
                sent = true;
            }
            // One write for the submits and the answers to receipts of this turn of the loop.
            if sent || self.unflushed {
                self.unflushed = false;
                if let Err(e) = sink.flush().await {
                    return format!("cannot write to the SMSC: {e}");
                }
            }
            // Liveness: an answer overdue breaks the bind; silence asks enquire_link.
            if let Some(oldest) = self.oldest_outstanding()
                && now.duration_since(oldest) > timeout
            {
                return format!("no answer from the SMSC in {}s", timeout.as_secs());
            }
            match self.enquire {
                Some((_, at)) if now.duration_since(at) > timeout => {
                    return format!("no answer to enquire_link in {}s", timeout.as_secs());
                }
                None if now.duration_since(self.last_rx) > enquire_every => {
                    let seq = self.next_seq();
                    self.enquire = Some((seq, now));
                    if let Err(e) = sink
                        .send(Command::new(CommandStatus::EsmeRok, seq, Pdu::EnquireLink))
                        .await
                    {
                        return format!("cannot write to the SMSC: {e}");
                    }
                }
                _ => {}
            }
            let starving = self.outstanding.len() < self.window()
                && self.pending.is_empty()
                && self.claiming.is_some();
            match (starving, self.starving_since) {
                (true, None) => self.starving_since = Some(Instant::now()),
                (false, Some(since)) => {
                    self.starved += since.elapsed();
                    self.starving_since = None;
                }
                _ => {}
            }
            if now.duration_since(self.last_status) > Duration::from_secs(2) {
                tracing::debug!(
                    bind = %self.bind.name,
                    starved_ms = self.starved.as_millis() as u64,
                    window = self.window(),
                    "the bind's window had room and nothing to send while a claim was under way"
                );
                self.starved = Duration::ZERO;
                self.last_status = now;
                let state = if self.pace.throttled_within(self.clock(), 5.0) {
                    "throttled"
                } else {
                    "bound"
                };
                self.bind
                    .status(state, "", self.pace.rate(), self.window())
                    .await;
            }
            // Wait for the next answer, token, pause end or poll.
            let wait = if !self.pending.is_empty() && self.outstanding.len() < self.window() {
                Duration::from_secs_f64(self.pace.wait(self.clock()))
            } else {
                Duration::from_millis(50)
            };
            // The claim under way is taken out for the wait and put back before anything else,
            // so that every way out of the loop leaves it for `release_unsent` to finish.
            let mut claiming = self.claiming.take();
            let woke = tokio::select! {
                biased;
                frame = stream.next() => Woke::Frame(frame),
                done = async {
                    match claiming.as_mut() {
                        Some(task) => task.await,
                        None => std::future::pending().await,
                    }
                }, if claiming.is_some() => Woke::Claimed(done),
                _ = tokio::time::sleep(wait) => Woke::Other,
                _ = stop.changed(), if stopping.is_none() => Woke::Other,
                _ = self.queued.changed(), if stopping.is_none() => Woke::Queued,
            };
            match woke {
                Woke::Claimed(done) => {
                    if let Err(e) = self.claimed(joined(done)) {
                        return format!("cannot claim from the queue: {e}");
                    }
                }
                Woke::Frame(mut frame) => {
                    self.claiming = claiming;
                    // Every PDU the socket already holds is read before the turn's writes, so
                    // one write refills the window and answers the receipts among them.
                    let mut read = 0;
                    loop {
                        let Some(pdu) = frame else {
                            return "the SMSC closed the connection".into();
                        };
                        let command = match pdu {
                            Ok(c) => c,
                            Err(e) => return format!("unreadable PDU from the SMSC: {e}"),
                        };
                        self.last_rx = Instant::now();
                        if let Some(why) = self.answer(command, sink).await {
                            return why;
                        }
                        read += 1;
                        // A PDU taken from the stream is always answered: the count is
                        // checked before the next one is taken.
                        if read == READ_PER_TURN {
                            break;
                        }
                        match stream.next().now_or_never() {
                            Some(next) => frame = next,
                            None => break,
                        }
                    }
                }
                Woke::Other => self.claiming = claiming,
                Woke::Queued => {
                    self.claiming = claiming;
                    self.refreshed = None;
                    self.idle_until = None;
                }
            }
        }
    }

    /// Handles one PDU from the SMSC; `Some(reason)` ends the session.
    async fn answer(
        &mut self,
        command: Command,
        sink: &mut futures::stream::SplitSink<smpp::Session, Command>,
    ) -> Option<String> {
        let seq = command.sequence_number();
        let status = u32::from(command.status());
        // An error answer may come without a body: its id and status are what count.
        match command.id() {
            CommandId::SubmitSmResp => {
                let id = match command.pdu() {
                    Some(Pdu::SubmitSmResp(resp)) => smpp::c_string(resp.message_id().as_ref()),
                    _ => String::new(),
                };
                self.submitted(seq, status, id).await;
                return None;
            }
            CommandId::GenericNack => {
                if self.outstanding.contains_key(&seq) {
                    self.submitted(seq, status.max(0x03), String::new()).await;
                }
                return None;
            }
            _ => {}
        }
        match command.pdu() {
            Some(Pdu::DeliverSm(d)) => {
                let source = smpp::c_string(d.source_addr.as_ref());
                // A receipt or an opt-out is answered once written (`answer_written`); what
                // Lantoa keeps nothing of is answered at once.
                let (written, wait) = tokio::sync::oneshot::channel();
                let mut kept = Some(written);
                match smpp::read_deliver(
                    u8::from(d.esm_class),
                    d.tlvs(),
                    &source,
                    d.short_message().as_ref(),
                    u8::from(d.data_coding),
                ) {
                    Delivered::Receipt {
                        smsc_id,
                        outcome,
                        recipient,
                    } => {
                        self.emit_then(
                            Event::Receipt {
                                smsc: self.bind.smsc.name.clone(),
                                smsc_id,
                                recipient: national(&recipient),
                                outcome,
                            },
                            kept.take(),
                        )
                        .await;
                    }
                    Delivered::Reply { from, text } => {
                        let national = national(&from);
                        if self.bind.notify.rules.is_optout(&text)
                            && let Ok(n) = self.bind.notify.numbering_plan().parse(&national)
                        {
                            self.emit_then(
                                Event::OptOut {
                                    phone: n.national().to_owned(),
                                },
                                kept.take(),
                            )
                            .await;
                        }
                    }
                    Delivered::Other => {}
                }
                if kept.is_none() {
                    self.unanswered.push_back((seq, wait));
                } else if let Some(why) = answer_deliver(sink, seq).await {
                    return Some(why);
                } else {
                    self.unflushed = true;
                }
            }
            Some(Pdu::EnquireLink) => {
                let reply = Command::new(CommandStatus::EsmeRok, seq, Pdu::EnquireLinkResp);
                if let Err(e) = sink.send(reply).await {
                    return Some(format!("cannot write to the SMSC: {e}"));
                }
            }
            Some(Pdu::EnquireLinkResp) if self.enquire.is_some_and(|(s, _)| s == seq) => {
                self.enquire = None;
            }
            Some(Pdu::Unbind) => {
                let _ = sink
                    .send(Command::new(CommandStatus::EsmeRok, seq, Pdu::UnbindResp))
                    .await;
                return Some("the SMSC unbound".into());
            }
            _ => {}
        }
        None
    }

    async fn submitted(&mut self, seq: u32, status: u32, id: String) {
        let Some(flight) = self.outstanding.remove(&seq) else {
            return;
        };
        let took = flight.sent.elapsed().as_secs_f64();
        self.rtt = self.rtt * 0.9 + took * 0.1;
        let mut out = flight.out;
        let (message, part) = (out.message, out.part);
        match smpp::classify(status, &id) {
            Answer::Accepted(smsc_id) => {
                self.pace.accepted();
                self.emit(Event::Accepted {
                    message,
                    part,
                    smsc: self.bind.smsc.name.clone(),
                    smsc_id,
                    only: out.total == 1,
                })
                .await;
            }
            Answer::Throttled => {
                // The pace learns the SMSC's real rate; the part, not taken, goes again soon.
                let t = self.clock();
                self.pace.throttled(t);
                self.retry
                    .push_back((Instant::now() + Duration::from_millis(100), out));
            }
            Answer::Ambiguous(name) if out.resend && out.attempts < MAX_ATTEMPTS => {
                out.attempts += 1;
                self.retry
                    .push_back((Instant::now() + Duration::from_secs(1), out));
                tracing::info!(message, part, answer = %name, "ambiguous answer; sending again by the campaign's policy");
            }
            Answer::Ambiguous(name) => {
                self.emit(Event::Uncertain {
                    message,
                    part,
                    error: format!("the SMSC answered {name}: it may or may not have taken it"),
                })
                .await;
            }
            Answer::Permanent(name) => {
                self.emit(Event::Failed {
                    message,
                    part,
                    error: format!("the SMSC refused it: {name}"),
                })
                .await;
            }
        }
    }
}

/// A number as an SMSC gives it (`84912345678`) in the national form the queue keeps.
fn national(from: &str) -> String {
    match from.strip_prefix("84") {
        Some(rest) if from.len() == 11 => format!("0{rest}"),
        _ => from.to_owned(),
    }
}

/// Answers `deliver_sm` `seq` (into the sink's buffer: the bind's loop flushes it with the rest
/// of its turn); why the bind must end when it cannot.
async fn answer_deliver(
    sink: &mut futures::stream::SplitSink<smpp::Session, Command>,
    seq: u32,
) -> Option<String> {
    let reply = Command::new(
        CommandStatus::EsmeRok,
        seq,
        Pdu::DeliverSmResp(Default::default()),
    );
    sink.feed(reply)
        .await
        .err()
        .map(|e| format!("cannot write to the SMSC: {e}"))
}
