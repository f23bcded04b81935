//! What the portal counts per client: sign-in attempts, form posts and link mails.

use crate::domain::Id;
use crate::server::limits::{Limiter, Quota};
use std::net::IpAddr;
use std::time::Duration;

/// The window of the sign-in limits.
const SIGNIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Sign-in attempts per client address and e-mail in one window; a success clears them.
pub const SIGNIN: Quota = Quota {
    max: 5,
    window: SIGNIN_WINDOW,
};

/// Failed sign-in attempts per client address, whatever the e-mail, in one window.
pub const SIGNIN_PER_ADDRESS: Quota = Quota {
    max: 50,
    window: SIGNIN_WINDOW,
};

/// Posts of the other portal forms (sign-up, reset, choose a password, support form) per
/// client address.
pub const FORMS: Quota = Quota {
    max: 20,
    window: Duration::from_secs(10 * 60),
};

/// Link e-mails sent to one address; more requests answer the same page and send nothing.
pub const MAILS: Quota = Quota {
    max: 3,
    window: Duration::from_secs(3600),
};

/// The portal's counters, kept in the server's memory.
pub struct Limits {
    /// Sign-in attempts by (portal, client address, SHA-256 of the lowercased e-mail).
    pub signin: Limiter<(Id, IpAddr, [u8; 32])>,
    /// Sign-in attempts by client address.
    pub signin_per_address: Limiter<IpAddr>,
    /// Form posts by client address.
    pub forms: Limiter<IpAddr>,
    /// Link mails by (portal, lowercased e-mail).
    pub mails: Limiter<(Id, String)>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            signin: Limiter::new(SIGNIN),
            signin_per_address: Limiter::new(SIGNIN_PER_ADDRESS),
            forms: Limiter::new(FORMS),
            mails: Limiter::new(MAILS),
        }
    }
}
