//! What the bench examples report about their own process (Linux `/proc`).

/// The peak resident set of this process, in KiB (`VmHWM`); 0 where `/proc` says nothing.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| status_field(&s, "VmHWM:"))
        .unwrap_or(0)
}

/// CPU seconds every thread of this process has used so far, user and system; NaN where
/// `/proc` says nothing.
pub fn cpu_seconds() -> f64 {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| stat_cpu_ticks(&s));
    // The kernel reports clock ticks of USER_HZ, which is 100 on every Linux ABI.
    ticks.map_or(f64::NAN, |t| t as f64 / 100.0)
}

fn status_field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// `utime + stime` from a `/proc/PID/stat` line. The command name, in parentheses, may hold
/// spaces, so fields are counted after its closing parenthesis: the state is field 3, `utime`
/// field 14 and `stime` field 15.
fn stat_cpu_ticks(stat: &str) -> Option<u64> {
    let (_, after) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        // A command name with spaces and a parenthesis; utime 1234, stime 56.
        let line = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 7 8 20 0 3 0";
        assert_eq!(stat_cpu_ticks(line), Some(1290));
        assert_eq!(stat_cpu_ticks("garbage"), None);
    }

    #[test]
    fn status_gives_the_peak() {
        let s = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    4321 kB\n";
        assert_eq!(status_field(s, "VmHWM:"), Some(4321));
        assert!(peak_rss_kb() > 0, "this process has a resident set");
        assert!(cpu_seconds() >= 0.0);
    }
}
