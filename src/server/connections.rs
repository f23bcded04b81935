//! The cap on HTTP connections open at once. A connection holds its place until it closes,
//! also after it became a websocket; one accepted beyond the cap is closed at once.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Places for connections.
#[derive(Clone)]
pub(crate) struct ConnectionCap {
    places: Arc<Semaphore>,
}

impl ConnectionCap {
    /// At most `max` connections at once.
    pub(crate) fn new(max: usize) -> Self {
        ConnectionCap {
            places: Arc::new(Semaphore::new(max)),
        }
    }

    /// `io` with a place of its own, or `None` when every place is taken.
    pub(crate) fn admit<T>(&self, io: T) -> Option<Counted<T>> {
        let place = self.places.clone().try_acquire_owned().ok()?;
        Some(Counted { io, _place: place })
    }
}

/// A connection that frees its place when dropped.
pub(crate) struct Counted<T> {
    io: T,
    _place: OwnedSemaphorePermit,
}

impl<T> Counted<T> {
    /// The connection itself.
    pub(crate) fn get_ref(&self) -> &T {
        &self.io
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Counted<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counted<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
