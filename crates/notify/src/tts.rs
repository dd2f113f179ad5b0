//! Text to speech for loudspeaker bulletins, through a pluggable engine: any program that reads
//! text on its standard input and writes a WAV file on its standard output. The default is
//! espeak-ng's Vietnamese voice (Debian's `espeak-ng`: robotic, but offline, and enough for
//! tests and as a fallback); a neural engine (Viettel, FPT, Zalo) is plugged in by naming a
//! wrapper program in `[notify.speech]`. The text is normalised for speech first
//! ([`crate::speech`]); the WAV is checked and its header sealed (a WAV written to a pipe has
//! placeholder sizes) before it is kept.

use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::{Error, Result};

/// The speech engine (`[notify.speech]` in lantoa.toml).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SpeechConfig {
    /// The program: text on standard input, WAV on standard output.
    #[serde(default = "default_program")]
    pub program: String,
    /// Its arguments.
    #[serde(default = "default_args")]
    pub args: Vec<String>,
    /// The voice's name, kept with each bulletin.
    #[serde(default = "default_voice")]
    pub voice: String,
    /// Seconds a synthesis may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_program() -> String {
    "espeak-ng".into()
}
fn default_args() -> Vec<String> {
    ["-v", "vi", "--stdout"].map(String::from).to_vec()
}
fn default_voice() -> String {
    "espeak-ng vi".into()
}
fn default_timeout() -> u64 {
    120
}

impl Default for SpeechConfig {
    fn default() -> Self {
        Self {
            program: default_program(),
            args: default_args(),
            voice: default_voice(),
            timeout_secs: default_timeout(),
        }
    }
}

/// Synthesised speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audio {
    /// A WAV file with correct sizes in its header.
    pub wav: Vec<u8>,
    /// How long it plays, ms.
    pub duration_ms: i64,
}

/// `ms` of silence as a 16-bit mono PCM WAV at 22,050 Hz, its sizes left as the placeholders a
/// speech engine writing to a pipe leaves (for [`SpeechConfig::fixed`] and tests).
pub fn silence_wav(ms: u32) -> Vec<u8> {
    let samples = (u64::from(ms) * 22_050 / 1000) as usize;
    let mut w = b"RIFF\xff\xff\xff\x7fWAVEfmt ".to_vec();
    w.extend(16u32.to_le_bytes());
    w.extend(1u16.to_le_bytes()); // PCM
    w.extend(1u16.to_le_bytes()); // mono
    w.extend(22_050u32.to_le_bytes());
    w.extend(44_100u32.to_le_bytes()); // bytes a second
    w.extend(2u16.to_le_bytes());
    w.extend(16u16.to_le_bytes());
    w.extend(b"data\xff\xff\xff\x7f");
    w.extend(vec![0u8; samples * 2]);
    w
}

impl SpeechConfig {
    /// An engine that reads each text and answers with the WAV file at `wav` (tests, and a
    /// site checking its loudspeakers before a speech engine is installed).
    pub fn fixed(wav: &std::path::Path) -> Self {
        Self {
            program: "sh".into(),
            args: vec![
                "-c".into(),
                "cat > /dev/null; cat \"$0\"".into(),
                wav.display().to_string(),
            ],
            voice: "fixed".into(),
            timeout_secs: 30,
        }
    }

    /// Speaks `text` (already normalised for speech).
    pub async fn synthesise(&self, text: &str) -> Result<Audio> {
        let unavailable =
            |why: String| Error::Unavailable(format!("speech engine {}: {why}", self.program));
        let mut child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| unavailable(format!("cannot start it: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| unavailable("no standard input".into()))?;
        let input = text.as_bytes().to_vec();
        let writer = tokio::spawn(async move {
            let written = stdin.write_all(&input).await;
            drop(stdin);
            written
        });
        let out = tokio::time::timeout(
            Duration::from_secs(self.timeout_secs.max(1)),
            child.wait_with_output(),
        )
        .await
        .map_err(|_| unavailable(format!("no answer within {} s", self.timeout_secs)))?
        .map_err(|e| unavailable(e.to_string()))?;
        writer
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .map_err(|e| unavailable(format!("cannot give it the text: {e}")))?;
        if !out.status.success() {
            let said = String::from_utf8_lossy(&out.stderr);
            return Err(unavailable(format!(
                "{} ({})",
                out.status,
                said.trim().chars().take(300).collect::<String>()
            )));
        }
        let (wav, duration_ms) = seal(out.stdout)
            .map_err(|e| unavailable(format!("its output is not a WAV file: {e}")))?;
        Ok(Audio { wav, duration_ms })
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Reads a RIFF/WAVE file's chunks, sets the RIFF and data sizes from what is really there
/// (the data chunk runs to the end when its size is a placeholder) and returns the file with
/// its play time in ms. Refuses what is not PCM WAV with sound in it.
pub fn seal(mut wav: Vec<u8>) -> std::result::Result<(Vec<u8>, i64), String> {
    if wav.get(0..4) != Some(b"RIFF") || wav.get(8..12) != Some(b"WAVE") {
        return Err("no RIFF/WAVE header".into());
    }
    let mut at = 12;
    let mut byte_rate = None;
    loop {
        let id = wav.get(at..at + 4).ok_or("no data chunk")?;
        let size = u32_at(&wav, at + 4).ok_or("a chunk is cut short")? as usize;
        let body = at + 8;
        if id == b"fmt " {
            let format = u16_at(&wav, body).ok_or("the fmt chunk is cut short")?;
            if format != 1 {
                return Err(format!("format {format} is not PCM"));
            }
            byte_rate = Some(u32_at(&wav, body + 8).ok_or("the fmt chunk is cut short")?);
        } else if id == b"data" {
            let rate = byte_rate.ok_or("the data chunk comes before fmt")?;
            if rate == 0 {
                return Err("a byte rate of 0".into());
            }
            let len = wav.len() - body;
            if size > len || size == u32::MAX as usize || size == 0x7fff_f000 {
                // A placeholder (or a cut file): the data is what follows.
                let fixed = u32::try_from(len).map_err(|_| "over 4 GiB")?;
                wav[at + 4..at + 8].copy_from_slice(&fixed.to_le_bytes());
            }
            let data = u32_at(&wav, at + 4).ok_or("a chunk is cut short")? as u64;
            if data == 0 {
                return Err("no sound".into());
            }
            let riff = u32::try_from(wav.len() - 8).map_err(|_| "over 4 GiB")?;
            wav[4..8].copy_from_slice(&riff.to_le_bytes());
            let ms = i64::try_from(data * 1000 / u64::from(rate)).map_err(|_| "too long")?;
            return Ok((wav, ms));
        }
        at = body
            .checked_add(size + (size & 1))
            .ok_or("a chunk size overflows")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(data_size_field: u32, samples: usize) -> Vec<u8> {
        let mut w = silence_wav((samples as u64 * 1000 / 22_050) as u32);
        w[40..44].copy_from_slice(&data_size_field.to_le_bytes());
        w
    }

    #[test]
    fn placeholder_sizes_are_sealed_and_time_counted() {
        let (w, ms) = seal(wav(0x7fff_f000, 22050)).unwrap();
        assert_eq!(ms, 1000);
        assert_eq!(u32_at(&w, 4).unwrap() as usize, w.len() - 8);
        assert_eq!(u32_at(&w, 40).unwrap(), 44100);
        let (_, ms) = seal(wav(44100 / 2, 22050)).unwrap();
        assert_eq!(ms, 500, "a true data size is kept");
    }

    #[test]
    fn what_is_not_pcm_wav_is_refused_with_why() {
        assert!(seal(b"ID3\x03".to_vec()).unwrap_err().contains("RIFF"));
        assert!(seal(wav(0, 0)).unwrap_err().contains("no sound"));
        let mut w = wav(100, 50);
        w[20] = 3; // IEEE float
        assert!(seal(w).unwrap_err().contains("not PCM"));
        let w = wav(100, 50);
        assert!(seal(w[..30].to_vec()).is_err());
    }
}
