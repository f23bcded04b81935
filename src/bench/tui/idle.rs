//! Idle output of the real client: this binary runs `frontdesk --server … --token …` in a
//! pseudo-terminal made by `script(1)` (util-linux), and the bytes it writes are counted.

use super::desk::Desk;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// What the client wrote to its 80×24 terminal.
pub struct Idle {
    /// Before going idle: the first frame, and redraws for the connection coming up.
    pub startup: u64,
    /// During the idle window.
    pub idle: u64,
}

/// Starts the client in a pty, lets it settle for 3 s, then counts its output for `secs`.
/// `None` when `script` is not installed.
pub async fn measure(desk: &Desk, secs: u64) -> anyhow::Result<Option<Idle>> {
    let exe = std::env::current_exe()?;
    let home = tempfile::tempdir()?;
    let spawned = Command::new("script")
        .args([
            "-qfec",
            "stty rows 24 cols 80 && exec \"$FRONTDESK_BENCH_EXE\"",
            "/dev/null",
        ])
        .env("FRONTDESK_BENCH_EXE", exe)
        .env("FRONTDESK_SERVER", &desk.base_url)
        .env("FRONTDESK_TOKEN", &desk.token)
        .env("TERM", "xterm-256color")
        .env("XDG_STATE_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let count = Arc::new(AtomicU64::new(0));
    let reader = {
        let count = count.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n @ 1..) = stdout.read(&mut buf).await {
                count.fetch_add(n as u64, Ordering::Relaxed);
            }
        })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while count.load(Ordering::Relaxed) == 0 {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the client drew nothing in 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let startup = count.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let idle = count.load(Ordering::Relaxed) - startup;
    stdin.write_all(b"q").await?;
    stdin.flush().await?;
    if tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .is_err()
    {
        child.kill().await?;
    }
    reader.abort();
    Ok(Some(Idle { startup, idle }))
}
