//! A fault-injecting HTTP/1.1 proxy in front of the real PDS (test-peers.md › Fault injection).
//!
//! The PDS is started with its public URL set to this proxy, so every account's DID document names
//! the proxy as its PDS and the app reaches the server only through it. Per XRPC method, a test arms
//! [`Fault`]s: drop the request, forward it and lose the answer, forward it and answer something else
//! (a gateway error, an HTML page, a 2 GB or endless body), reset the connection mid-answer, stall,
//! or answer without forwarding (401, 429 with rate-limit headers), or change the request's JSON in
//! flight. It counts requests per method, and it can play a server that is down (its port refuses
//! connections). [`rig`] is a test binary's PDS behind its proxy, and [`exclusive`] the turn of one test.
//!
//! It runs on a thread and runtime of its own, so one proxy serves every `#[tokio::test]` of a test
//! binary (each has its own runtime). One request per client connection: every answer says
//! `Connection: close`, which keeps the relay simple and each fault aimed at exactly one request.
//! The HTTP/1.1 reading and writing it needs is in `wire.rs`.

mod wire;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wire::*;

/// The PDS of a test binary and the proxy it names as its public address.
#[derive(Debug)]
pub struct Rig {
    pub proxy: FaultProxy,
    pub pds: crate::pds::TestPds,
}

impl Rig {
    /// A new account of this PDS, connected with the real CLI in `env` through the proxy (its DID
    /// document names the proxy as its PDS, so every request of it meets the proxy's faults);
    /// returns the account and what the CLI printed.
    pub async fn connect_new_user(
        &self,
        env: &crate::cli::CliEnv,
        prefix: &str,
    ) -> (crate::pds::TestUser, serde_json::Value) {
        let user = self.pds.create_user(prefix).await;
        let app_password = self.pds.create_app_password(&user, "hayon").await;
        let account = env
            .connect(&user.handle, &app_password, &self.proxy.url)
            .expect_ok();
        (user, account)
    }

    /// Two new accounts connected in `env` for a post that reaches one and is refused on the other
    /// (handles starting `{prefix}a` and `{prefix}b`): see [`OneRefusing`]. The refusal is armed on
    /// this rig's proxy, so the test holds [`exclusive`].
    pub async fn connect_one_refusing(
        &self,
        env: &crate::cli::CliEnv,
        prefix: &str,
    ) -> OneRefusing {
        let reached = env.connect_new_user(&format!("{prefix}a")).await;
        let (refused, _) = self.connect_new_user(env, &format!("{prefix}b")).await;
        self.proxy
            .arm("com.atproto.repo.applyWrites", Fault::refusal());
        OneRefusing { reached, refused }
    }
}

/// The accounts of [`Rig::connect_one_refusing`].
#[derive(Debug)]
pub struct OneRefusing {
    /// On the binary's shared PDS ([`crate::pds::pds`]), out of the proxy's way: a post reaches it.
    pub reached: crate::pds::TestUser,
    /// On the rig's PDS, behind the proxy, which refuses the next `applyWrites`
    /// ([`Fault::refusal`], [`REFUSAL_MESSAGE`]) and lets the ones after it through.
    pub refused: crate::pds::TestUser,
}

/// Started once per test binary, on first use.
pub fn rig() -> &'static Rig {
    static RIG: std::sync::OnceLock<Rig> = std::sync::OnceLock::new();
    RIG.get_or_init(|| {
        let proxy = FaultProxy::start();
        let pds = crate::pds::TestPds::start_behind(&proxy.url);
        proxy.set_upstream(pds.address());
        Rig { proxy, pds }
    })
}

/// The tests of a binary share the proxy, so they run one at a time: the guard is this test's turn,
/// and it starts with a clean proxy.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let guard = LOCK.lock().await;
    rig().proxy.reset();
    guard
}

/// The longest stall a test may ask for: a stalled test must still end.
pub const MAX_STALL: Duration = Duration::from_secs(30);
/// Request heads larger than this are refused (the app's are a few hundred bytes).
const MAX_HEAD: usize = 64 * 1024;

/// What happens to one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Closed before anything is forwarded: the server never sees the request.
    DropRequest,
    /// Forwarded (the server acts on it), then the connection is closed without an answer.
    LoseAnswer,
    /// Forwarded, then this answer is sent instead of the server's.
    ReplaceAnswer(Canned),
    /// Not forwarded: this answer comes straight from the proxy.
    Answer(Canned),
    /// Forwarded; the server's answer is cut off halfway through its body with a TCP reset.
    ResetMidBody,
    /// Forwarded; the server's answer is held back this long (at most [`MAX_STALL`]), then sent.
    Stall(Duration),
    /// The JSON body is changed in flight, then forwarded: what the app could never send (it checks
    /// its input), for seeing what the real server does with it.
    EditRequest(RequestEdit),
}

/// A change to a request's JSON body (see [`Fault::EditRequest`]).
#[derive(Clone)]
pub struct RequestEdit(pub Arc<dyn Fn(&mut serde_json::Value) + Send + Sync>);

impl RequestEdit {
    pub fn new(edit: impl Fn(&mut serde_json::Value) + Send + Sync + 'static) -> Self {
        Self(Arc::new(edit))
    }
}

impl std::fmt::Debug for RequestEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestEdit(..)")
    }
}

/// An answer made up by the proxy.
#[derive(Debug, Clone)]
pub enum Canned {
    /// What a gateway (nginx, a load balancer) says on its own: `status` with an HTML page.
    Gateway(u16),
    /// A 200 whose body is an HTML page (a captive portal, a maintenance page).
    Html200,
    /// A JSON answer with extra headers (401, 429 with `RateLimit-Reset` / `Retry-After`).
    Json {
        status: u16,
        headers: Vec<(String, String)>,
        body: serde_json::Value,
    },
    /// A 200 announcing a 2 GiB body and sending it (spaces) until the client hangs up.
    TwoGigabytes,
    /// A 200 with a chunked body that never ends.
    Endless,
}

/// The message of [`Fault::refusal`], for tests that look for it in what the app shows.
pub const REFUSAL_MESSAGE: &str = "Refused by the test's proxy";

impl Fault {
    /// A 400 `InvalidRequest` answer, as a server refusing the request gives (nothing forwarded).
    pub fn refusal() -> Self {
        Fault::Answer(Canned::xrpc_error(
            400,
            "InvalidRequest",
            REFUSAL_MESSAGE,
            &[],
        ))
    }
}

impl Canned {
    /// An XRPC error answer `{"error","message"}`.
    pub fn xrpc_error(status: u16, error: &str, message: &str, headers: &[(&str, &str)]) -> Self {
        Self::Json {
            status,
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body: serde_json::json!({"error": error, "message": message}),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    upstream: Option<SocketAddr>,
    /// Faults for the next requests of a method, in order.
    next: HashMap<String, VecDeque<Fault>>,
    /// A fault for every request of a method (after `next` is used up).
    always: HashMap<String, Fault>,
    /// When each request of a method arrived.
    arrivals: HashMap<String, Vec<SystemTime>>,
    /// What the test asked for, and what the port is doing (the accept loop follows `down`).
    down: bool,
    listening: bool,
}

#[derive(Debug, Clone)]
pub struct FaultProxy {
    /// `http://localhost:PORT`, the address to give the PDS as its public URL.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// Listens on a free loopback port; requests wait for [`FaultProxy::set_upstream`].
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let address = listener.local_addr().expect("proxy address");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                runtime.block_on(serve(listener, address, shared));
            })
            .expect("proxy thread");
        Self {
            url: format!("http://localhost:{}", address.port()),
            state,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Where requests are forwarded (the PDS's own loopback address).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        self.state().upstream = Some(upstream);
    }

    /// The next request for `nsid` meets `fault` (queued after faults already armed for it).
    pub fn arm(&self, nsid: &str, fault: Fault) {
        self.state()
            .next
            .entry(nsid.to_owned())
            .or_default()
            .push_back(fault);
    }

    /// Every request for `nsid` meets `fault` until [`FaultProxy::reset`].
    pub fn arm_always(&self, nsid: &str, fault: Fault) {
        self.state().always.insert(nsid.to_owned(), fault);
    }

    /// While down, the port refuses connections, as a stopped server's does. Returns once the port
    /// does what was asked.
    pub fn set_down(&self, down: bool) {
        self.state().down = down;
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while self.state().listening == down {
            assert!(
                std::time::Instant::now() < deadline,
                "the proxy's port did not follow"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// No faults, nothing counted, up.
    pub fn reset(&self) {
        {
            let mut state = self.state();
            state.next.clear();
            state.always.clear();
            state.arrivals.clear();
        }
        self.set_down(false);
    }

    /// How many requests for `nsid` arrived (faulted or not).
    pub fn count(&self, nsid: &str) -> usize {
        self.arrivals(nsid).len()
    }

    /// When the requests for `nsid` arrived, in order.
    pub fn arrivals(&self, nsid: &str) -> Vec<SystemTime> {
        self.state().arrivals.get(nsid).cloned().unwrap_or_default()
    }

    /// The fault for a request that just arrived, counting it.
    fn take_fault(&self, nsid: &str) -> Option<Fault> {
        let mut state = self.state();
        state
            .arrivals
            .entry(nsid.to_owned())
            .or_default()
            .push(SystemTime::now());
        if let Some(fault) = state.next.get_mut(nsid).and_then(VecDeque::pop_front) {
            return Some(fault);
        }
        state.always.get(nsid).cloned()
    }
}

async fn serve(listener: std::net::TcpListener, address: SocketAddr, state: Arc<Mutex<State>>) {
    let proxy = FaultProxy {
        url: String::new(),
        state,
    };
    let mut listener = Some(TcpListener::from_std(listener).expect("tokio listener"));
    proxy.state().listening = true;
    loop {
        let down = proxy.state().down;
        match (listener.as_ref(), down) {
            (Some(open), false) => {
                if let Ok(Ok((client, _))) =
                    tokio::time::timeout(Duration::from_millis(100), open.accept()).await
                {
                    tokio::spawn(handle(client, proxy.clone()));
                }
            }
            (Some(_), true) => {
                listener = None; // the socket is closed: connections are refused
                proxy.state().listening = false;
            }
            (None, false) => match TcpListener::bind(address).await {
                Ok(bound) => {
                    listener = Some(bound);
                    proxy.state().listening = true;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            (None, true) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// One request from the app: read it, apply its fault, answer (or not).
async fn handle(mut client: TcpStream, proxy: FaultProxy) {
    let Some((mut head, mut body)) = read_request(&mut client).await else {
        return;
    };
    let nsid = nsid_of(&head);
    let fault = proxy.take_fault(&nsid);
    if let Some(Fault::EditRequest(edit)) = &fault {
        if let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&body) {
            (edit.0)(&mut json);
            body = json.to_string().into_bytes();
            head = with_content_length(&head, body.len());
        }
    }
    match fault {
        Some(Fault::DropRequest) => drop(client),
        Some(Fault::Answer(canned)) => send_canned(&mut client, canned).await,
        fault => {
            let Some(upstream) = proxy.state().upstream else {
                return;
            };
            let Some(response) = forward(upstream, &head, &body).await else {
                return; // the server is gone: the app sees a closed connection
            };
            match fault {
                Some(Fault::LoseAnswer) => drop(client),
                Some(Fault::ReplaceAnswer(canned)) => send_canned(&mut client, canned).await,
                Some(Fault::ResetMidBody) => {
                    let head_end = find_head_end(&response).unwrap_or(response.len());
                    let cut = head_end + (response.len() - head_end) / 2;
                    let _ = client.write_all(&response[..cut]).await;
                    let _ = client.flush().await;
                    let _ = client.set_zero_linger();
                    drop(client);
                }
                Some(Fault::Stall(duration)) => {
                    tokio::time::sleep(duration.min(MAX_STALL)).await;
                    let _ = client.write_all(&response).await;
                }
                _ => {
                    let _ = client.write_all(&response).await;
                }
            }
        }
    }
}
