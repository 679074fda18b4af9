//! The exporter's connections, kept so that idle or slow clients cannot starve a scrape.
//!
//! A connection is *waiting* from its acceptance until its request head is complete, then
//! *answering* until its answer is written. The two have pools of their own, so that waiting
//! connections never take the slots kept for requests that have arrived complete:
//!
//! - **Waiting**: at most [`MAX_WAITING`] in all and [`MAX_WAITING_PER_PEER`] per peer (an IPv4
//!   address, or an IPv6 /64, what one host or one customer holds). A new connection is never
//!   refused: when its peer already holds its share, the peer's oldest waiting connection is
//!   shed to make room; when all the slots are taken, the oldest connection of the peer that
//!   holds the most is. Each has [`HEAD_DEADLINE`] from its acceptance to send its head
//!   (408 after that), however it drips its bytes.
//! - **Answering**: at most [`MAX_ANSWERING`]; past that a complete request is told 503 with
//!   `Retry-After`. Every answer has [`WRITE_DEADLINE`] to be written, in all (a client that
//!   does not read cannot hold its thread longer).
//!
//! So a scrape, which sends its head as soon as it connects, waits behind nobody: a flood of
//! idle connections, even from the scraper's own address, sheds its own oldest members. A
//! connection is shed only once [`MAX_WAITING_PER_PEER`] newer ones from its address have come,
//! or when all [`MAX_WAITING`] slots are taken and its address holds the most; a scrape's
//! connection waits for microseconds. Every deadline is an [`Instant`]: a wall-clock step moves
//! none of them.

use std::collections::VecDeque;
use std::io::{self, Read as _, Write as _};
use std::net::{IpAddr, Ipv6Addr, Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use http::StatusCode;

use crate::http_request::{self, Head, MAX_HEAD, Refusal, Request};

/// The most connections waiting for their request head, from every peer together.
pub(crate) const MAX_WAITING: usize = 64;

/// The most connections one peer may keep waiting; a new one sheds the peer's oldest.
pub(crate) const MAX_WAITING_PER_PEER: usize = 16;

/// The most requests answered at once (probing, or waiting for a probe in flight).
pub(crate) const MAX_ANSWERING: usize = 64;

/// The time a client has, from the moment its connection is accepted, to send its whole
/// request head. Prometheus sends it at once; three seconds leave room for one lost segment
/// (TCP's first retransmission comes after one second).
pub(crate) const HEAD_DEADLINE: Duration = Duration::from_secs(3);

/// The time an answer has to be written, in all.
pub(crate) const WRITE_DEADLINE: Duration = Duration::from_secs(10);

/// Ends a blocked read of a waiting connection that is shed.
pub(crate) trait Wake: Send + 'static {
    fn wake(&self);
}

impl Wake for TcpStream {
    fn wake(&self) {
        // The reading thread's `read` returns 0 at once; it then sees it was shed.
        let _ = self.shutdown(Shutdown::Read);
    }
}

/// What a connection is counted under: an IPv4 address, or the /64 of an IPv6 address (an
/// IPv4 client of a dual-stack socket is its IPv4 address).
fn peer_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

struct Waiting<W> {
    id: u64,
    peer: IpAddr,
    wake: W,
    shed: Arc<AtomicBool>,
}

struct State<W> {
    /// Oldest first.
    waiting: VecDeque<Waiting<W>>,
    answering: usize,
    next_id: u64,
}

/// The two pools of connections (see the module's documentation).
pub(crate) struct Gate<W> {
    state: Mutex<State<W>>,
    shed: AtomicU64,
    refused: AtomicU64,
}

impl<W: Wake> Gate<W> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                waiting: VecDeque::new(),
                answering: 0,
                next_id: 0,
            }),
            shed: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State<W>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a new connection from `ip` as waiting, shedding another to make room if need
    /// be; `wake` ends its read if it is shed in turn.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr, wake: W) -> Waiter<W> {
        let peer = peer_of(ip);
        let shed = Arc::new(AtomicBool::new(false));
        let mut state = self.lock();
        let mine = state.waiting.iter().filter(|w| w.peer == peer).count();
        let victim = if mine >= MAX_WAITING_PER_PEER {
            Some(peer)
        } else if state.waiting.len() >= MAX_WAITING {
            busiest_peer(&state.waiting)
        } else {
            None
        };
        if let Some(victim) = victim
            && let Some(index) = state.waiting.iter().position(|w| w.peer == victim)
            && let Some(old) = state.waiting.remove(index)
        {
            old.shed.store(true, Ordering::SeqCst);
            old.wake.wake();
            self.shed.fetch_add(1, Ordering::Relaxed);
        }
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        state.waiting.push_back(Waiting {
            id,
            peer,
            wake,
            shed: Arc::clone(&shed),
        });
        Waiter {
            gate: Arc::clone(self),
            id,
            shed,
        }
    }

    /// Connections waiting now.
    pub(crate) fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Connections shed since the start.
    pub(crate) fn shed_total(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// Complete requests told 503 since the start, every answering slot being taken.
    pub(crate) fn refused_total(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// The peer with the most waiting connections; of two with as many, the one whose oldest
/// connection is older.
fn busiest_peer<W>(waiting: &VecDeque<Waiting<W>>) -> Option<IpAddr> {
    let mut best: Option<(usize, IpAddr)> = None;
    for (index, candidate) in waiting.iter().enumerate() {
        // Each peer once, at its oldest connection.
        if waiting.iter().take(index).any(|w| w.peer == candidate.peer) {
            continue;
        }
        let count = waiting.iter().filter(|w| w.peer == candidate.peer).count();
        if best.is_none_or(|(most, _)| count > most) {
            best = Some((count, candidate.peer));
        }
    }
    best.map(|(_, peer)| peer)
}

/// A waiting connection's place; given up when dropped.
pub(crate) struct Waiter<W: Wake> {
    gate: Arc<Gate<W>>,
    id: u64,
    shed: Arc<AtomicBool>,
}

impl<W: Wake> Waiter<W> {
    /// Whether the connection was shed to make room for a newer one.
    pub(crate) fn was_shed(&self) -> bool {
        self.shed.load(Ordering::SeqCst)
    }

    /// The connection's head is complete: it leaves the waiting pool for an answering slot,
    /// or is refused when none is free.
    pub(crate) fn answer(self) -> Result<Answering<W>, Refusal> {
        let gate = Arc::clone(&self.gate);
        drop(self);
        let mut state = gate.lock();
        if state.answering >= MAX_ANSWERING {
            drop(state);
            gate.refused.fetch_add(1, Ordering::Relaxed);
            return Err(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{MAX_ANSWERING} requests are being answered: try again in a second"),
            ));
        }
        state.answering = state.answering.saturating_add(1);
        drop(state);
        Ok(Answering { gate })
    }
}

impl<W: Wake> Drop for Waiter<W> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        if let Some(index) = state.waiting.iter().position(|w| w.id == self.id) {
            state.waiting.remove(index);
        }
    }
}

/// An answering slot; freed when dropped.
pub(crate) struct Answering<W: Wake> {
    gate: Arc<Gate<W>>,
}

impl<W: Wake> Drop for Answering<W> {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.answering = state.answering.saturating_sub(1);
    }
}

/// Reads a request head from `stream` until it is complete, refused, or `deadline` passes.
pub(crate) fn read_head<W: Wake>(
    stream: &mut TcpStream,
    deadline: Instant,
    waiter: &Waiter<W>,
) -> Result<Request, Refusal> {
    let timeout = || {
        Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            "the request head took too long",
        )
    };
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 1024];
    loop {
        let room = MAX_HEAD.saturating_sub(head.len()).min(buffer.len());
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timeout());
        }
        let _ = stream.set_read_timeout(Some(remaining));
        let read = match stream.read(buffer.get_mut(..room).unwrap_or_default()) {
            Ok(0) if waiter.was_shed() => {
                return Err(Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "closed without a request to make room: one address keeps at most \
                         {MAX_WAITING_PER_PEER} connections waiting"
                    ),
                ));
            }
            Ok(0) => {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "the request ended before its head did",
                ));
            }
            Ok(n) => buffer.get(..n).unwrap_or_default(),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timeout());
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Refusal::new(StatusCode::BAD_REQUEST, e.to_string())),
        };
        head.extend_from_slice(read);
        // A head can only end at a line feed; and at the cap it is judged whatever it holds.
        if read.contains(&b'\n') || head.len() >= MAX_HEAD {
            match http_request::parse_head(&head)? {
                Head::Complete(request) => return Ok(request),
                Head::Partial => {}
            }
        }
    }
}

/// Writes `bytes` to `stream` by `deadline`, however slowly the client reads; gives up then.
pub(crate) fn write_by(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(remaining))?;
        match stream.write(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => rest = rest.get(n..).unwrap_or_default(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection that notes it was woken.
    struct Mock(Arc<AtomicBool>);

    impl Wake for Mock {
        fn wake(&self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    fn admit(gate: &Arc<Gate<Mock>>, ip: &str) -> (Waiter<Mock>, Arc<AtomicBool>) {
        let woken = Arc::new(AtomicBool::new(false));
        let waiter = gate.admit(ip.parse().unwrap(), Mock(Arc::clone(&woken)));
        (waiter, woken)
    }

    #[test]
    fn a_peer_sheds_its_own_oldest() {
        let gate = Gate::new();
        let held: Vec<_> = (0..MAX_WAITING_PER_PEER)
            .map(|_| admit(&gate, "192.0.2.1"))
            .collect();
        assert!(
            held.iter()
                .all(|(w, woken)| !w.was_shed() && !woken.load(Ordering::SeqCst))
        );
        let other = admit(&gate, "192.0.2.2");
        let newest = admit(&gate, "192.0.2.1");
        // The first one, and only it, was shed; the other peer kept its place.
        assert!(held[0].0.was_shed() && held[0].1.load(Ordering::SeqCst));
        assert!(held[1..].iter().all(|(w, _)| !w.was_shed()));
        assert!(!other.0.was_shed() && !newest.0.was_shed());
        assert_eq!(gate.waiting(), MAX_WAITING_PER_PEER + 1);
        assert_eq!(gate.shed_total(), 1);
        // Dropped, a waiter gives up its place.
        drop(held);
        assert_eq!(gate.waiting(), 2);
    }

    #[test]
    fn a_full_pool_sheds_from_the_peer_that_holds_most() {
        let gate = Gate::new();
        let mut held = Vec::new();
        // Four peers of 2001:db8::/64 are one; a few others hold less.
        for i in 0..MAX_WAITING - 8 {
            let ip = format!("2001:db8::{}", i % 4 + 1);
            held.push((ip.clone(), admit(&gate, &ip)));
        }
        for i in 0..8 {
            let ip = format!("198.51.100.{}", i % 4 + 1);
            held.push((ip.clone(), admit(&gate, &ip)));
        }
        // The IPv6 /64 held its 16, the rest shed its own: 16 + 8 waiting.
        assert_eq!(gate.waiting(), MAX_WAITING_PER_PEER + 8);
        let shed_v6 = held.iter().filter(|(_, (w, _))| w.was_shed()).count();
        assert_eq!(shed_v6, MAX_WAITING - 8 - MAX_WAITING_PER_PEER);
        // Fill the pool with distinct peers, then one more.
        let mut others = Vec::new();
        for i in 0..(MAX_WAITING - gate.waiting()) {
            others.push(admit(&gate, &format!("203.0.113.{}", i + 1)));
        }
        assert_eq!(gate.waiting(), MAX_WAITING);
        let before = gate.shed_total();
        let last = admit(&gate, "192.0.2.77");
        assert_eq!(gate.shed_total(), before + 1);
        assert_eq!(gate.waiting(), MAX_WAITING);
        // The one shed was the /64's oldest surviving connection.
        let v6_alive: Vec<_> = held
            .iter()
            .filter(|(ip, (w, _))| ip.starts_with("2001") && !w.was_shed())
            .collect();
        assert_eq!(v6_alive.len(), MAX_WAITING_PER_PEER - 1);
        assert!(others.iter().all(|(w, _)| !w.was_shed()) && !last.0.was_shed());
    }

    #[test]
    fn answering_slots_are_apart_and_bounded() {
        let gate = Gate::new();
        let mut answering = Vec::new();
        for _ in 0..MAX_ANSWERING {
            let (waiter, _) = admit(&gate, "192.0.2.9");
            answering.push(waiter.answer().expect("a free answering slot"));
        }
        // Answering connections left the waiting pool.
        assert_eq!(gate.waiting(), 0);
        let waiting: Vec<_> = (0..MAX_WAITING)
            .map(|i| admit(&gate, &format!("10.0.0.{i}")))
            .collect();
        assert_eq!(gate.waiting(), MAX_WAITING);
        assert_eq!(gate.shed_total(), 0);
        let (waiter, _) = admit(&gate, "192.0.2.9");
        let refusal = waiter.answer().err().expect("every slot taken");
        assert_eq!(refusal.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(gate.refused_total(), 1);
        // A slot freed goes to a complete request, though 64 connections wait.
        answering.pop();
        let (waiter, _) = admit(&gate, "192.0.2.9");
        assert!(waiter.answer().is_ok());
        assert_eq!(gate.refused_total(), 1);
        // The first of the two made room in the full waiting pool by shedding its oldest; the
        // second found the room the first left when it went on to answer.
        let shed: Vec<usize> = (0..MAX_WAITING)
            .filter(|i| waiting[*i].0.was_shed())
            .collect();
        assert_eq!(shed, [0]);
    }

    #[test]
    fn peers() {
        let peer = |ip: &str| peer_of(ip.parse().unwrap()).to_string();
        assert_eq!(peer("192.0.2.1"), "192.0.2.1");
        assert_eq!(peer("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(peer("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::");
    }
}
