//! The outside components tests need: installed with apt when missing, started on a free
//! loopback port, stopped on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::run;

/// Where Debian's Chromium lives.
pub const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    run(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

/// Installs Debian packages (as root), updating the package lists once if needed.
pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    if !is_root() {
        bail!(
            "{} missing and not root, so cannot install it with apt",
            packages.join(" ")
        );
    }
    eprintln!("xtask: installing {} with apt", packages.join(" "));
    let install = |pk: &[&str]| {
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(pk)
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    if install(packages).is_err() {
        run(Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        install(packages)?;
    }
    Ok(())
}

fn wait_for_port(port: u16, what: &str, timeout: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{what} did not open port {port} within {timeout:?}")
}

fn pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// LibreOffice's `soffice`, installed with apt when missing (Writer without its GUI:
/// `libreoffice-writer-nogui`, the headless build of `libreoffice-writer`), checked by asking
/// its version.
pub fn libreoffice() -> anyhow::Result<PathBuf> {
    let soffice = PathBuf::from("/usr/bin/soffice");
    if !soffice.exists() {
        apt_install(&["libreoffice-writer-nogui", "fonts-liberation"])?;
    }
    let version = run(Command::new(&soffice).arg("--version")).context("soffice does not run")?;
    eprintln!("xtask: {}", version.trim());
    Ok(soffice)
}

/// poppler-utils (pdftoppm, pdftotext, pdfimages), installed with apt when missing, to read the
/// reports' PDFs and draw their pages; returns the folder holding them.
pub fn poppler() -> anyhow::Result<PathBuf> {
    let dir = PathBuf::from("/usr/bin");
    if !dir.join("pdftoppm").exists() {
        apt_install(&["poppler-utils"])?;
    }
    let version = Command::new(dir.join("pdftoppm"))
        .arg("-v")
        .output()
        .context("pdftoppm does not run")?;
    // pdftoppm writes its version to stderr.
    let first = String::from_utf8_lossy(&version.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    eprintln!("xtask: {first}");
    Ok(dir)
}

/// libxml2's `xmllint`, installed with apt when missing (`libxml2-utils`), to validate CAP
/// against the CAP 1.2 XML schema.
pub fn xmllint() -> anyhow::Result<PathBuf> {
    let xmllint = PathBuf::from("/usr/bin/xmllint");
    if !xmllint.exists() {
        apt_install(&["libxml2-utils"])?;
    }
    let version = Command::new(&xmllint)
        .arg("--version")
        .output()
        .context("xmllint does not run")?;
    // xmllint writes its version to stderr.
    let first = String::from_utf8_lossy(&version.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    eprintln!("xtask: {first}");
    Ok(xmllint)
}

/// espeak-ng with its Vietnamese voice, installed with apt when missing: the default speech
/// engine of loudspeaker bulletins.
pub fn espeak_ng() -> anyhow::Result<()> {
    if run(Command::new("espeak-ng").arg("--version")).is_err() {
        apt_install(&["espeak-ng"])?;
    }
    let version =
        run(Command::new("espeak-ng").arg("--version")).context("espeak-ng does not run")?;
    let voices = run(Command::new("espeak-ng").arg("--voices=vi")).context("espeak-ng --voices")?;
    if !voices
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some("vi"))
    {
        anyhow::bail!("espeak-ng has no Vietnamese voice (vi): {voices}");
    }
    eprintln!("xtask: {}", version.trim());
    Ok(())
}

/// A throwaway PostgreSQL cluster in a temporary folder.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Postgres {
    /// Installs (if needed), initialises and starts a cluster on a free loopback port.
    pub fn start() -> anyhow::Result<Self> {
        let bin = match pg_bin() {
            Some(b) => b,
            None => {
                apt_install(&["postgresql"])?;
                pg_bin().context("postgresql installed, but no initdb under /usr/lib/postgresql")?
            }
        };
        let dir = std::env::temp_dir().join(format!("lantoa-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let as_postgres = is_root();
        if as_postgres {
            // initdb refuses to run as root.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let port = free_port()?;
        let pg = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        pg.cmd("initdb")
            .args([
                "-U",
                "lantoa",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(pg.dir.join("data"))
            .stdout(Stdio::null())
            .status()
            .context("initdb")?
            .success()
            .then_some(())
            .context("initdb failed")?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            pg.dir.display()
        );
        run(pg
            .cmd("pg_ctl")
            .arg("-D")
            .arg(pg.dir.join("data"))
            .args(["-o", &opts, "-l"])
            .arg(pg.dir.join("log"))
            .args(["-w", "start"]))?;
        wait_for_port(port, "PostgreSQL", Duration::from_secs(30))?;
        eprintln!("xtask: PostgreSQL running on 127.0.0.1:{port}");
        Ok(pg)
    }

    fn cmd(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// A URL for the server's `postgres` database; tests create their own databases on it.
    pub fn url(&self) -> String {
        format!("postgres://lantoa@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
        eprintln!("xtask: PostgreSQL stopped");
    }
}

/// chromedriver driving Debian's Chromium.
pub struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    /// Installs Chromium and chromedriver (if needed) and starts the driver.
    pub fn start() -> anyhow::Result<Self> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            apt_install(&["chromium", "chromium-driver"])?;
        }
        let version =
            run(Command::new(CHROMIUM).arg("--version")).context("chromium does not run")?;
        eprintln!("xtask: {}", version.trim());
        let port = free_port()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start chromedriver")?;
        let driver = Self { child, port };
        wait_for_port(port, "chromedriver", Duration::from_secs(20))?;
        Ok(driver)
    }

    /// The WebDriver URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The password the SMSC simulator accepts (any system id is an account of its own).
pub const SMSC_SIM_PASSWORD: &str = "sim-pass";

/// Where xtask keeps the simulator's npm packages between runs.
fn npm_cache() -> PathBuf {
    std::env::var_os("LANTOA_NPM_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/lantoa/npm"))
}

/// The SMSC simulator of `tools/smsc-sim` on node-smpp.
pub struct SmscSim {
    child: Child,
    smpp: u16,
    control: u16,
}

impl SmscSim {
    /// Installs Node.js (apt) and node-smpp (npm) if needed and starts the simulator.
    pub fn start() -> anyhow::Result<Self> {
        if run(Command::new("node").arg("--version")).is_err()
            || run(Command::new("npm").arg("--version")).is_err()
        {
            apt_install(&["nodejs", "npm"])?;
        }
        let cache = npm_cache();
        if !cache.join("node_modules/smpp/package.json").exists() {
            eprintln!(
                "xtask: installing node-smpp 0.5.1 with npm into {}",
                cache.display()
            );
            std::fs::create_dir_all(&cache)?;
            run(Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&cache)
                .arg("smpp@0.5.1"))
            .context("npm install smpp@0.5.1")?;
        }
        let (smpp, control) = (free_port()?, free_port()?);
        let child = Command::new("node")
            .arg("tools/smsc-sim/sim.js")
            .args([smpp.to_string(), control.to_string()])
            .arg(SMSC_SIM_PASSWORD)
            .env("NODE_PATH", Self::node_path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start the SMSC simulator")?;
        let sim = Self {
            child,
            smpp,
            control,
        };
        wait_for_port(control, "the SMSC simulator", Duration::from_secs(20))?;
        wait_for_port(smpp, "the SMSC simulator", Duration::from_secs(20))?;
        Ok(sim)
    }

    /// Its SMPP port on 127.0.0.1.
    pub fn smpp_port(&self) -> u16 {
        self.smpp
    }

    /// Its control interface, `127.0.0.1:PORT`.
    pub fn control(&self) -> String {
        format!("127.0.0.1:{}", self.control)
    }

    /// Where node-smpp is installed (for other node programs, as `NODE_PATH`).
    pub fn node_path() -> PathBuf {
        npm_cache().join("node_modules")
    }

    /// The variables tests read to reach it.
    pub fn envs(&self) -> [(&'static str, String); 3] {
        [
            ("LANTOA_SMSC_SIM", format!("127.0.0.1:{}", self.smpp)),
            (
                "LANTOA_SMSC_SIM_CONTROL",
                format!("127.0.0.1:{}", self.control),
            ),
            ("LANTOA_SMSC_SIM_PASSWORD", SMSC_SIM_PASSWORD.to_owned()),
        ]
    }
}

impl Drop for SmscSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kannel (Debian's package): a bearerbox bound to the SMSC simulator as `account` (one
/// transceiver bind, a window of 1,000) and an smsbox serving HTTP sendsms, in a folder of
/// their own with logs at the panic level only.
pub struct Kannel {
    bearerbox: Child,
    smsbox: Child,
    sendsms: u16,
    dir: PathBuf,
}

impl Kannel {
    /// Installs Kannel if needed and starts it against the simulator's SMPP port.
    pub fn start(sim_smpp: u16, account: &str) -> anyhow::Result<Self> {
        const BEARERBOX: &str = "/usr/sbin/bearerbox";
        if !Path::new(BEARERBOX).exists() {
            apt_install(&["kannel"])?;
        }
        let dir = std::env::temp_dir().join(format!("lantoa-kannel-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let (admin, boxes, sendsms) = (free_port()?, free_port()?, free_port()?);
        let conf = dir.join("kannel.conf");
        let log = |name: &str| dir.join(name).display().to_string();
        std::fs::write(
            &conf,
            format!(
                r#"group = core
admin-port = {admin}
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = {boxes}
box-allow-ip = "127.0.0.1"
log-file = "{bb_log}"
log-level = 4
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = {sim_smpp}
transceiver-mode = true
smsc-username = "{account}"
smsc-password = "{SMSC_SIM_PASSWORD}"
system-type = ""
max-pending-submits = 1000
enquire-link-interval = 30
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {boxes}
sendsms-port = {sendsms}
log-file = "{sb_log}"
log-level = 4

group = sendsms-user
username = bench
password = bench
max-messages = 10
concatenation = true
"#,
                bb_log = log("bearerbox.log"),
                sb_log = log("smsbox.log"),
            ),
        )?;
        let start = |bin: &str| {
            Command::new(bin)
                .arg(&conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("cannot start {bin}"))
        };
        let bearerbox = start(BEARERBOX)?;
        wait_for_port(boxes, "Kannel's bearerbox", Duration::from_secs(20))?;
        let smsbox = start("/usr/sbin/smsbox")?;
        let kannel = Self {
            bearerbox,
            smsbox,
            sendsms,
            dir,
        };
        wait_for_port(sendsms, "Kannel's smsbox", Duration::from_secs(20))?;
        Ok(kannel)
    }

    /// The sendsms URL up to its `to=` parameter (receipts asked for, as Lantoa asks).
    pub fn sendsms_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/cgi-bin/sendsms?username=bench&password=bench&from=SoTTTT-HN&dlr-mask=3&to=",
            self.sendsms
        )
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        for child in [&mut self.smsbox, &mut self.bearerbox] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
