//! Subscribers over WebSocket: the web viewer follows a server the way a native viewer
//! does over TCP. After the WebSocket handshake the server sends the same reel stream a TCP
//! subscriber gets (everything held, then every new message), cut into binary messages of
//! at most 1 MiB; the page decodes it as it arrives. Nothing is read from the page except
//! its close, so a page can only watch, never write.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tungstenite::{Message, WebSocket};

use crate::Serving;

/// Accepts WebSocket subscribers until `stop` is set, one thread each.
pub(crate) fn accept_loop(listener: &TcpListener, serving: &Serving, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(stream) => {
                let serving = serving.clone();
                let spawned = std::thread::Builder::new()
                    .name("reel-ws-client".into())
                    .spawn(move || serve(stream, &serving));
                if let Err(e) = spawned {
                    log::warn!("cannot start a WebSocket thread: {e}");
                }
            }
            Err(e) => log::warn!("WebSocket accept failed: {e}"),
        }
    }
}

fn serve(stream: TcpStream, serving: &Serving) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "unknown peer".to_owned(), |a| a.to_string());
    let _ = stream.set_nodelay(true);
    // A peer that connects and says nothing must not hold a thread forever.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let raw = match stream.try_clone() {
        Ok(raw) => raw,
        Err(e) => return log::warn!("{peer}: closing: {e}"),
    };
    let socket = match tungstenite::accept(stream) {
        Ok(socket) => socket,
        Err(e) => return log::warn!("{peer}: not a WebSocket handshake: {e}"),
    };
    log::info!("{peer}: WebSocket subscriber connected");
    crate::serve_subscriber(Sink { socket }, raw, &peer, serving);
}

/// A WebSocket as a byte sink: each write goes out as one binary message.
struct Sink {
    socket: WebSocket<TcpStream>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket
            .send(Message::binary(buf.to_vec()))
            .map_err(io::Error::other)?;
        Ok(buf.len())
    }

    /// Flushes, and notices a page that closed: the subscriber loop flushes when idle, so
    /// a closed page frees its thread within a flush interval even when nothing is logged.
    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush().map_err(io::Error::other)?;
        let stream = self.socket.get_ref();
        stream.set_nonblocking(true)?;
        let read = self.socket.read();
        self.socket.get_ref().set_nonblocking(false)?;
        match read {
            Ok(Message::Close(_)) => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the page closed the connection",
            )),
            // Pings are answered by the next flush; anything else from a page is ignored.
            Ok(_) => Ok(()),
            Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(io::Error::other(e)),
        }
    }
}
