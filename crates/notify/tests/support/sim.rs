//! The SMSC simulator's control interface (`tools/smsc-sim/sim.js`) for tests: shared by the
//! notify crate's dispatch tests and the command line's crash test (`#[path]`), which both
//! read its address from the variables `cargo xtask test` sets.

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A variable `cargo xtask test` sets.
pub fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set; cargo xtask test starts the SMSC simulator"))
}

/// `method path body` to the control port; the answer's body. Fails unless it is 200.
pub async fn control(method: &str, path: &str, body: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(env("LANTOA_SMSC_SIM_CONTROL"))
        .await
        .unwrap();
    let req = format!(
        "{method} {path} HTTP/1.0\r\nHost: sim\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.contains(" 200 "), "simulator answered {head}");
    body.to_owned()
}

/// Every submit_sm the simulator received from `account`, in order.
pub async fn record(account: &str) -> Vec<Value> {
    control("GET", &format!("/record/{account}"), "")
        .await
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Sets how the simulator treats `account` (`{"throttle": 3}`, …).
pub async fn mode(account: &str, json: &str) {
    control("POST", &format!("/mode/{account}"), json).await;
}

/// Forgets `account`'s record and modes.
pub async fn reset(account: &str) {
    control("POST", &format!("/reset/{account}"), "").await;
}
