//! The network protocol around the byte format (docs/FORMAT.md, "Network protocol").
//!
//! A client opens a TCP connection and sends a [`Hello`]; the server answers with a
//! [`Welcome`]. Then the client sends one reel stream (stream header, frames) and the
//! server sends back acknowledgements: each an 8-byte little-endian count of the
//! connection's messages it has stored (cumulative, so a lost ack is repaired by the next).

use std::io::{self, Read, Write};

/// The first eight bytes of a hello or welcome.
pub const NET_MAGIC: [u8; 8] = *b"REELNET\0";

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u16 = 2;

/// The default TCP port of a reel server.
pub const DEFAULT_PORT: u16 = 9876;

/// The longest version string a welcome may carry.
const MAX_VERSION_LEN: usize = 256;

/// Why a handshake failed.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// The connection failed.
    #[error("handshake: {0}")]
    Io(#[from] io::Error),
    /// The peer is not a reel peer.
    #[error("the peer does not speak the reel protocol (got {0:02x?})")]
    NotReel([u8; 8]),
    /// The peer speaks another protocol version.
    #[error("protocol version mismatch: we speak {ours}, the peer {theirs} (reel {peer_version}); use matching reel versions")]
    Version {
        /// Ours.
        ours: u16,
        /// Theirs.
        theirs: u16,
        /// The peer's reel version, if it said.
        peer_version: String,
    },
    /// A malformed field.
    #[error("malformed handshake: {0}")]
    Malformed(String),
}

/// What a client connects for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    /// It sends a reel stream and reads acknowledgements (an SDK).
    #[default]
    Producer,
    /// It reads a reel stream: everything the server holds, then every new message (a
    /// viewer, a tool).
    Subscriber,
}

/// What a client sends first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The client's protocol version.
    pub protocol_version: u16,
    /// What the client connects for.
    pub role: Role,
}

impl Hello {
    /// A producer's hello for this crate's protocol.
    pub fn current() -> Self {
        Self {
            protocol_version: PROTOCOL_VERSION,
            role: Role::Producer,
        }
    }

    /// A subscriber's hello for this crate's protocol.
    pub fn subscriber() -> Self {
        Self {
            role: Role::Subscriber,
            ..Self::current()
        }
    }

    /// Writes the 12 bytes: magic, version, role (0 producer, 1 subscriber), a zero byte.
    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let mut b = [0u8; 12];
        b[..8].copy_from_slice(&NET_MAGIC);
        b[8..10].copy_from_slice(&self.protocol_version.to_le_bytes());
        b[10] = match self.role {
            Role::Producer => 0,
            Role::Subscriber => 1,
        };
        w.write_all(&b)
    }

    /// Reads a hello.
    pub fn read(r: &mut impl Read) -> Result<Self, HandshakeError> {
        let mut b = [0u8; 12];
        r.read_exact(&mut b)?;
        check_magic(&b)?;
        let role = match b[10] {
            0 => Role::Producer,
            1 => Role::Subscriber,
            other => return Err(HandshakeError::Malformed(format!("unknown role {other}"))),
        };
        Ok(Self {
            protocol_version: u16::from_le_bytes([b[8], b[9]]),
            role,
        })
    }
}

/// What a server answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Welcome {
    /// The server's protocol version.
    pub protocol_version: u16,
    /// Whether the server accepts the connection (it refuses other protocol versions).
    pub accepted: bool,
    /// The server's reel version, for messages.
    pub reel_version: String,
}

impl Welcome {
    /// The answer of this crate's server to `hello`.
    pub fn answer(hello: &Hello) -> Self {
        Self {
            protocol_version: PROTOCOL_VERSION,
            accepted: hello.protocol_version == PROTOCOL_VERSION,
            reel_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// Writes magic, version, accepted flag, a reserved byte, then the length-prefixed
    /// (u16) version string.
    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let version = &self.reel_version.as_bytes()[..self.reel_version.len().min(MAX_VERSION_LEN)];
        let mut b = Vec::with_capacity(14 + version.len());
        b.extend_from_slice(&NET_MAGIC);
        b.extend_from_slice(&self.protocol_version.to_le_bytes());
        b.push(u8::from(self.accepted));
        b.push(0);
        b.extend_from_slice(&(version.len() as u16).to_le_bytes());
        b.extend_from_slice(version);
        w.write_all(&b)
    }

    /// Reads a welcome, bounding the version string.
    pub fn read(r: &mut impl Read) -> Result<Self, HandshakeError> {
        let mut b = [0u8; 14];
        r.read_exact(&mut b)?;
        check_magic(&b)?;
        let len = usize::from(u16::from_le_bytes([b[12], b[13]]));
        if len > MAX_VERSION_LEN {
            return Err(HandshakeError::Malformed(format!(
                "version string of {len} bytes"
            )));
        }
        let mut version = vec![0u8; len];
        r.read_exact(&mut version)?;
        Ok(Self {
            protocol_version: u16::from_le_bytes([b[8], b[9]]),
            accepted: b[10] == 1,
            reel_version: String::from_utf8_lossy(&version).into_owned(),
        })
    }

    /// `Ok` if the server accepted us; the version error otherwise.
    pub fn check(&self) -> Result<(), HandshakeError> {
        if self.accepted && self.protocol_version == PROTOCOL_VERSION {
            Ok(())
        } else {
            Err(HandshakeError::Version {
                ours: PROTOCOL_VERSION,
                theirs: self.protocol_version,
                peer_version: self.reel_version.clone(),
            })
        }
    }
}

fn check_magic(b: &[u8]) -> Result<(), HandshakeError> {
    if b[..8] != NET_MAGIC {
        let mut got = [0u8; 8];
        got.copy_from_slice(&b[..8]);
        return Err(HandshakeError::NotReel(got));
    }
    Ok(())
}

/// The bit of an acknowledgement that turns it into a refusal (protocol version 2 on).
pub const ACK_REFUSED: u64 = 1 << 63;

/// What the server says about a connection's messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    /// This many messages of the connection are stored.
    Stored(u64),
    /// This many are stored, and the next one is refused for good (larger than the server
    /// accepts): the client drops it instead of resending it on every connection. The
    /// server closes the connection after saying so.
    Refused(u64),
}

/// Writes an acknowledgement: `count` messages of this connection are stored.
pub fn write_ack(w: &mut impl Write, count: u64) -> io::Result<()> {
    w.write_all(&count.to_le_bytes())
}

/// Writes a refusal: `count` messages are stored and the next one never will be.
pub fn write_refusal(w: &mut impl Write, count: u64) -> io::Result<()> {
    w.write_all(&(count | ACK_REFUSED).to_le_bytes())
}

/// Reads an acknowledgement or a refusal.
pub fn read_ack(r: &mut impl Read) -> io::Result<Ack> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    let value = u64::from_le_bytes(b);
    Ok(if value & ACK_REFUSED != 0 {
        Ack::Refused(value & !ACK_REFUSED)
    } else {
        Ack::Stored(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_round_trips() {
        let mut buf = Vec::new();
        Hello::current().write(&mut buf).expect("write");
        let hello = Hello::read(&mut buf.as_slice()).expect("read");
        assert_eq!(hello, Hello::current());
        let mut sub = Vec::new();
        Hello::subscriber().write(&mut sub).expect("write");
        assert_eq!(
            Hello::read(&mut sub.as_slice()).expect("read").role,
            Role::Subscriber
        );
        sub[10] = 7;
        assert!(matches!(
            Hello::read(&mut sub.as_slice()),
            Err(HandshakeError::Malformed(_))
        ));
        let mut buf = Vec::new();
        Welcome::answer(&hello).write(&mut buf).expect("write");
        let welcome = Welcome::read(&mut buf.as_slice()).expect("read");
        welcome.check().expect("accepted");
        assert_eq!(welcome.reel_version, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn bad_handshakes_are_typed() {
        assert!(matches!(
            Hello::read(&mut &b"GET / HTTP/1.1\r\n"[..]),
            Err(HandshakeError::NotReel(_))
        ));
        assert!(matches!(
            Hello::read(&mut &b"REEL"[..]),
            Err(HandshakeError::Io(_))
        ));
        let old = Hello {
            protocol_version: 99,
            role: Role::Producer,
        };
        let welcome = Welcome::answer(&old);
        let err = welcome.check().expect_err("refused");
        assert!(err.to_string().contains("mismatch"), "{err}");
        let mut long = Vec::new();
        long.extend_from_slice(&NET_MAGIC);
        long.extend_from_slice(&[1, 0, 1, 0, 0xff, 0xff]);
        assert!(matches!(
            Welcome::read(&mut long.as_slice()),
            Err(HandshakeError::Malformed(_))
        ));
        let mut acks = Vec::new();
        write_ack(&mut acks, 42).expect("write");
        write_refusal(&mut acks, 43).expect("write");
        let mut r = acks.as_slice();
        assert_eq!(read_ack(&mut r).expect("read"), Ack::Stored(42));
        assert_eq!(read_ack(&mut r).expect("read"), Ack::Refused(43));
    }
}
