//! How fast a bind sends: a token bucket whose rate follows what the SMSC takes.
//!
//! An SMSC answers `ESME_RTHROTTLED` when a bind sends faster than it will take (its real limit
//! is often below the contract's TPS) and sometimes for reasons of its own. Halving the rate on
//! each such answer collapses it: 20% random throttles drove a bind to a few messages a second.
//! [`Pace`] instead looks at each half-second:
//!
//! * no throttle: the rate climbs additively (5% of the contract's TPS a second, at most a
//!   tenth of the rate) up to the TPS;
//! * throttles: the rate drops to what the SMSC accepted in that half-second (at most ×0.9,
//!   never below a floor of 5% of the TPS): its real limit, found in one step;
//! * throttles that did not thin after such a drop are not the bind's doing: the rate is
//!   restored and held for ten seconds, and the throttled parts are simply sent again.
//!
//! A throttle also pauses sending briefly (20 ms, at most every 200 ms), so a burst of throttled
//! answers is not met with more. Time is given by the caller in seconds, so the behaviour is
//! tested against simulated SMSCs without a clock.

/// The half-second over which answers are counted.
const INTERVAL: f64 = 0.5;
/// The climb per second without throttles, as a share of the TPS.
const CLIMB: f64 = 0.05;
/// The lowest rate, as a share of the TPS.
const FLOOR: f64 = 0.05;
/// The most one drop takes off.
const DROP: f64 = 0.9;
/// How long throttles judged not the bind's doing leave the rate alone, s.
const HOLD: f64 = 10.0;
/// The pause after a throttle, and how often at most, s.
const PAUSE: f64 = 0.02;
const PAUSE_EVERY: f64 = 0.2;
/// A drop that left at least this share of the throttles did not help.
const NO_BETTER: f64 = 0.7;

/// The pace of one bind.
#[derive(Debug, Clone)]
pub struct Pace {
    cap: f64,
    rate: f64,
    tokens: f64,
    last: f64,
    paused_until: f64,
    last_pause: f64,
    last_throttle: Option<f64>,
    interval_start: f64,
    sent: u32,
    accepted: u32,
    throttles: u32,
    /// The rate before the last drop and the throttled share that caused it.
    dropped_from: Option<(f64, f64)>,
    hold_until: f64,
}

impl Pace {
    /// A pace for a contract of `tps` messages a second, starting at it, at time `now`.
    pub fn new(tps: f64, now: f64) -> Self {
        let cap = tps.max(1.0);
        Self {
            cap,
            rate: cap,
            tokens: 1.0,
            last: now,
            paused_until: now,
            last_pause: f64::NEG_INFINITY,
            last_throttle: None,
            interval_start: now,
            sent: 0,
            accepted: 0,
            throttles: 0,
            dropped_from: None,
            hold_until: now,
        }
    }

    /// The rate now, messages a second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Whether a throttle came in the last `secs` seconds.
    pub fn throttled_within(&self, now: f64, secs: f64) -> bool {
        self.last_throttle.is_some_and(|t| now - t < secs)
    }

    fn floor(&self) -> f64 {
        (self.cap * FLOOR).max(1.0)
    }

    /// Lets time pass to `now`: tokens refill, and each half-second's answers set the rate.
    pub fn advance(&mut self, now: f64) {
        let dt = (now - self.last).max(0.0);
        self.last = now;
        // Twenty milliseconds' worth at most: an SMSC's own bucket allows little burst, and
        // parts sent in a clump are throttled though the average is within its rate.
        let burst = (self.rate / 50.0).max(1.0);
        self.tokens = (self.tokens + dt * self.rate).min(burst);
        while now - self.interval_start >= INTERVAL {
            self.interval_start += INTERVAL;
            self.adjust(self.interval_start);
        }
    }

    fn adjust(&mut self, at: f64) {
        let (sent, accepted, throttles) = (self.sent, self.accepted, self.throttles);
        self.sent = 0;
        self.accepted = 0;
        self.throttles = 0;
        if throttles == 0 {
            if sent > 0 || accepted > 0 {
                // Additive, and gentle near a rate found by throttles: at most a tenth of the
                // rate a second, so a limit just found is approached, not overrun.
                let climb = (self.cap * CLIMB).min(self.rate * 0.1).max(1.0);
                self.rate = (self.rate + climb * INTERVAL).min(self.cap);
            }
            self.dropped_from = None;
            return;
        }
        if at < self.hold_until {
            return;
        }
        let share = f64::from(throttles) / f64::from((accepted + throttles).max(1));
        match self.dropped_from {
            Some((before, was)) if share >= was * NO_BETTER => {
                // Sending slower did not thin the throttles: they are the SMSC's own.
                self.rate = before;
                self.hold_until = at + HOLD;
                self.dropped_from = None;
            }
            _ => {
                let taken = f64::from(accepted) / INTERVAL;
                self.dropped_from = Some((self.rate, share));
                self.rate = (self.rate * DROP).min(taken).max(self.floor());
            }
        }
    }

    /// Takes a token to send one part now, if one is there and no pause holds.
    pub fn try_send(&mut self, now: f64) -> bool {
        if now < self.paused_until || self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        self.sent += 1;
        true
    }

    /// Seconds until a part may be sent.
    pub fn wait(&self, now: f64) -> f64 {
        let token = (1.0 - self.tokens).max(0.0) / self.rate;
        (self.paused_until - now).max(token).max(0.000_5)
    }

    /// The SMSC took a part.
    pub fn accepted(&mut self) {
        self.accepted += 1;
    }

    /// The SMSC answered a part with a throttle at `now`.
    pub fn throttled(&mut self, now: f64) {
        self.throttles += 1;
        self.last_throttle = Some(now);
        if now - self.last_pause >= PAUSE_EVERY {
            self.last_pause = now;
            self.paused_until = now + PAUSE;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Sends as fast as `pace` allows for `secs` simulated seconds to an SMSC that answers
    /// after `rtt`; `takes(now)` says whether it takes a part sent at `now`. Returns the parts
    /// taken per second over the run's last `secs - 10` seconds (the first ten find the rate).
    fn run(tps: f64, rtt: f64, secs: f64, mut takes: impl FnMut(f64) -> bool) -> f64 {
        let mut pace = Pace::new(tps, 0.0);
        let mut answers: VecDeque<(f64, bool)> = VecDeque::new();
        let step = 0.000_25;
        let mut now = 0.0;
        let mut taken = 0u64;
        while now < secs {
            pace.advance(now);
            while answers.front().is_some_and(|(t, _)| *t <= now) {
                let Some((_, ok)) = answers.pop_front() else {
                    break;
                };
                if ok {
                    pace.accepted();
                    if now >= 10.0 {
                        taken += 1;
                    }
                } else {
                    pace.throttled(now);
                }
            }
            while pace.try_send(now) {
                answers.push_back((now + rtt, takes(now)));
            }
            now += step;
        }
        taken as f64 / (secs - 10.0)
    }

    /// An SMSC that takes at most `limit` a second (a token bucket with a twentieth of a
    /// second's burst) and throttles the rest.
    fn limited(limit: f64) -> impl FnMut(f64) -> bool {
        let mut tokens = 1.0;
        let mut last = 0.0;
        move |now| {
            tokens = (tokens + (now - last) * limit).min((limit / 20.0).max(1.0));
            last = now;
            if tokens >= 1.0 {
                tokens -= 1.0;
                true
            } else {
                false
            }
        }
    }

    #[test]
    fn a_limited_smsc_gets_at_least_85_percent_of_its_limit() {
        for (tps, limit) in [
            (1000.0, 300.0),
            (1000.0, 50.0),
            (500.0, 450.0),
            (2000.0, 1200.0),
        ] {
            let got = run(tps, 0.02, 60.0, limited(limit));
            assert!(
                got >= 0.85 * limit && got <= limit * 1.01,
                "TPS {tps}, SMSC limit {limit}: {got:.1}/s"
            );
        }
    }

    #[test]
    fn random_throttles_leave_most_of_the_rate() {
        // One part in five throttled whatever the rate (a fixed pseudo-random sequence).
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let got = run(1000.0, 0.02, 60.0, move |_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            !seed.is_multiple_of(5)
        });
        assert!(got >= 600.0, "{got:.1}/s of 1000 with 20% throttled");
    }

    #[test]
    fn without_throttles_the_contract_rate_is_kept() {
        let got = run(400.0, 0.05, 30.0, |_| true);
        assert!((got - 400.0).abs() < 8.0, "{got:.1}/s");
    }
}
