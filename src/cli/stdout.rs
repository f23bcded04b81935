//! Printing results to standard output. A reader that goes away early (`| head -1`) ends
//! the command quietly instead of with a panic or an error message.

use std::io::{self, Write};

/// Standard output was closed by its reader; the command stops without a word.
#[derive(Debug, thiserror::Error)]
#[error("standard output was closed")]
pub struct StdoutClosed;

/// Writes `text` to standard output at once; a closed pipe becomes [`StdoutClosed`].
pub fn write(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => anyhow::Error::new(StdoutClosed),
            _ => e.into(),
        })
}

/// Whether `error` only says that standard output was closed.
pub fn is_closed(error: &anyhow::Error) -> bool {
    error.chain().any(|e| e.is::<StdoutClosed>())
}

/// `println!` that returns `anyhow::Result<()>`: a closed pipe is [`StdoutClosed`].
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(&format!("{}\n", format_args!($($arg)*)))
    };
}
