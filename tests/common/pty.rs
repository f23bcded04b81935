//! The real client binary in a pseudo-terminal, its output parsed as a VT100 screen.

use super::BIN;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A client running in a pseudo-terminal of `ROWS`×`COLS`.
pub struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
}

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;

impl Pty {
    /// Starts `frontdesk ARGS` with `home` as its home and XDG directories.
    pub fn start(args: &[&str], home: &Path) -> Pty {
        Pty::start_env(args, home, &[])
    }

    /// The client against `url` as the agent holding `token`, started off the async runtime.
    pub async fn agent(url: &str, token: &str, home: &Path) -> Pty {
        let (url, token, home) = (url.to_string(), token.to_string(), home.to_path_buf());
        tokio::task::spawn_blocking(move || {
            Pty::start(&["--server", &url, "--token", &token], &home)
        })
        .await
        .unwrap()
    }

    /// [`Pty::start`] with extra environment variables.
    pub fn start_env(args: &[&str], home: &Path, env: &[(&str, &str)]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        for var in [
            "HOME",
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env(var, home);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            parser,
            raw,
            writer,
            child,
        }
    }

    /// The screen as text, one row a line.
    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The screen's rows.
    pub fn rows(&self) -> Vec<String> {
        let parser = self.parser.lock().unwrap();
        parser.screen().rows(0, COLS).collect()
    }

    /// The screen's rows once a whole frame is on it: the client has finished a draw (its
    /// last bytes hide the cursor) and wrote nothing while the rows were read. `None` while a
    /// frame is still arriving.
    pub fn frame_rows(&self) -> Option<Vec<String>> {
        const HIDE_CURSOR: &[u8] = b"\x1b[?25l";
        let before = {
            let raw = self.raw.lock().unwrap();
            raw.ends_with(HIDE_CURSOR).then_some(raw.len())?
        };
        let rows = self.rows();
        (self.raw.lock().unwrap().len() == before).then_some(rows)
    }

    /// Everything the client wrote so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// How many bytes the client wrote so far.
    pub fn written(&self) -> usize {
        self.raw.lock().unwrap().len()
    }

    /// Waits until `ready` holds for the screen's rows; panics with the screen after 30 s.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&[String]) -> bool) {
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if ready(&self.rows()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never: {what}\n{}", self.text());
    }

    /// Waits until the screen shows `needle`.
    pub fn wait_for(&self, needle: &str) {
        self.wait_until(needle, |rows| rows.iter().any(|r| r.contains(needle)));
    }

    /// Waits until the screen no longer shows `needle`.
    pub fn wait_gone(&self, needle: &str) {
        self.wait_until(&format!("{needle:?} gone"), |rows| {
            rows.iter().all(|r| !r.contains(needle))
        });
    }

    /// Writes `keys` to the terminal at once, as a fast typist or a paste would.
    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
