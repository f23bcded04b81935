//! Password hashing with bounded memory. Argon2id works in about 19 MiB, so every hash of
//! the server runs on a fixed set of threads (one per core) behind a short queue, each
//! thread reusing one working area; when the queue is full the caller is refused at once
//! ([`Busy`]) rather than kept waiting.

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use std::cell::RefCell;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{Semaphore, oneshot};

/// Hashes that may wait per hashing thread before callers are refused.
const QUEUE_PER_THREAD: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

/// Every hashing thread is taken and the queue is full: try again in a moment.
#[derive(Debug, thiserror::Error)]
#[error("password hashing is at capacity; try again in a moment")]
pub struct Busy;

/// The server's password hasher: a few threads, a bounded queue.
pub struct Hasher {
    /// One permit per hash running or queued.
    admitted: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

impl Hasher {
    /// A hasher with one thread per core.
    pub fn per_core() -> std::io::Result<Hasher> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Hasher::new(cores)
    }

    /// A hasher with `threads` threads; they end when the hasher is dropped.
    pub fn new(threads: usize) -> std::io::Result<Hasher> {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(Hasher {
            admitted: Arc::new(Semaphore::new(threads * (1 + QUEUE_PER_THREAD))),
            jobs,
        })
    }

    /// Runs `work` on a hashing thread, or refuses at once when too many are waiting.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy)?;
        let (answer, answered) = oneshot::channel();
        // The permit goes with the job: a caller that gives up does not free its slot before
        // the hash is done.
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
            drop(permit);
        });
        self.jobs.send(job).map_err(|_| Busy)?;
        answered.await.map_err(|_| Busy)
    }

    /// The argon2id hash of a password, as a PHC string.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move || hash_new(password.as_bytes())).await?
    }

    /// Whether `password` matches `hash`. Without a hash (no such account), a dummy hash is
    /// checked anyway, so the answer takes as long either way.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, Busy> {
        self.run(move || match hash {
            Some(hash) => matches(password.as_bytes(), &hash),
            None => {
                matches(password.as_bytes(), dummy_hash());
                false
            }
        })
        .await
    }
}

thread_local! {
    /// A hashing thread's working memory: allocated by its first hash, reused by the next.
    /// (Allocating it per hash let the allocator keep a fresh 19 MiB after many of them.)
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 in the thread's working memory.
fn compute(argon: &Argon2, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    let blocks = argon.params().block_count();
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
    })
}

/// A new argon2id hash with the default parameters and a random salt.
fn hash_new(password: &[u8]) -> anyhow::Result<String> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("cannot hash a password: {e}");
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&argon, password, &salt, &mut out).map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` gives the stored PHC hash (compared in constant time).
fn matches(password: &[u8], stored: &str) -> bool {
    let check = || -> Option<bool> {
        let phc = PasswordHash::new(stored).ok()?;
        let algorithm = Algorithm::try_from(phc.algorithm.as_str()).ok()?;
        let version = match phc.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&phc).ok()?;
        let (salt, expected) = (phc.salt.as_ref()?, phc.hash.as_ref()?);
        let mut out = vec![0u8; expected.len()];
        compute(
            &Argon2::new(algorithm, version, params),
            password,
            salt,
            &mut out,
        )
        .ok()?;
        Some(Output::new(&out).ok()? == *expected)
    };
    check().unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_new(b"no account has this password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_against_their_own_hash() {
        let hasher = Hasher::new(1).unwrap();
        let hash = hasher.hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let verify = |p: &str, h: Option<String>| hasher.verify(p.into(), h);
        assert!(
            verify("correct horse battery", Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse battery", Some(hash)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_still_verify() {
        use argon2::PasswordHasher;
        let stored = Argon2::default()
            .hash_password(b"stored before this pool")
            .unwrap()
            .to_string();
        assert!(matches(b"stored before this pool", &stored));
        assert!(!matches(b"stored before this poo1", &stored));
        assert!(!matches(b"anything", "not a hash"));
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let hasher = Hasher::new(1).unwrap();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let blocker = hasher.run(move || wait.recv().ok());
        let capacity = 1 + QUEUE_PER_THREAD;
        let queued: Vec<_> = (1..capacity).map(|_| hasher.run(|| ())).collect();
        // Futures only take a slot when polled: start them all, then try one more.
        let all = futures_util::future::join_all(queued);
        tokio::pin!(blocker, all);
        assert!(futures_util::poll!(&mut blocker).is_pending());
        assert!(futures_util::poll!(&mut all).is_pending());
        assert!(matches!(hasher.run(|| ()).await, Err(Busy)));
        release.send(()).unwrap();
        assert_eq!(blocker.await.unwrap(), Some(()));
        assert!(all.await.iter().all(Result::is_ok));
        assert!(hasher.run(|| ()).await.is_ok(), "slots come back");
    }
}
