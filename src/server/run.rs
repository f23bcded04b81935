//! Running the team server from the command line until a signal stops it.

use super::{RunningServer, ServerConfig};

/// Serves until SIGINT or SIGTERM, then stops cleanly: streams closed, writes flushed.
pub async fn serve_until_signal(config: ServerConfig) -> anyhow::Result<()> {
    let server = RunningServer::start(config).await?;
    let mut lines = format!("listening on {}\n", server.url());
    if let Some(smtp) = server.smtp_addr {
        lines.push_str(&format!("smtp listening on {smtp}\n"));
    }
    if let Err(error) = crate::cli::stdout::write(&lines) {
        // Nobody can learn the address: stop before serving anyone.
        server.shutdown().await?;
        return Err(error);
    }
    tracing::info!(addr = %server.addr, "serving");
    shutdown_signal().await;
    tracing::info!("stopping");
    server.shutdown().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
