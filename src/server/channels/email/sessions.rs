//! Who may open an SMTP session: a cap on sessions in all and on sessions per client
//! address, so one sender cannot crowd out the others.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Sessions open now, in all and by client address.
pub struct Admission {
    total: usize,
    per_address: usize,
    open: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Why a session was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The listener serves as many sessions as it may.
    Full,
    /// This address has as many sessions open as it may.
    Address,
}

/// An open session; dropping it frees its place.
pub struct Place {
    admission: Arc<Admission>,
    address: IpAddr,
}

impl Admission {
    /// At most `total` sessions, and `per_address` of them from one address.
    pub fn new(total: usize, per_address: usize) -> Arc<Admission> {
        Arc::new(Admission {
            total,
            per_address,
            open: Mutex::default(),
        })
    }

    /// Takes a place for a session from `address`, if there is one.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Place, Refusal> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.total {
            return Err(Refusal::Full);
        }
        let mine = open.by_address.entry(address).or_default();
        if *mine >= self.per_address {
            return Err(Refusal::Address);
        }
        *mine += 1;
        open.total += 1;
        Ok(Place {
            admission: self.clone(),
            address,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if let Some(n) = open.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_each_address_and_the_total_and_frees_places_on_drop() {
        let admission = Admission::new(3, 2);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let first = admission.admit(a).unwrap();
        let _second = admission.admit(a).unwrap();
        assert_eq!(admission.admit(a).err(), Some(Refusal::Address));
        let _third = admission.admit(b).unwrap();
        assert_eq!(admission.admit(b).err(), Some(Refusal::Full));
        drop(first);
        assert!(admission.admit(a).is_ok());
    }
}
