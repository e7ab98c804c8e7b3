//! Turning the capture of INVALID packets on and off: it changes the
//! firewall (a table of nfscope's own), so only when a flag or an admin
//! asks.

use std::sync::{Arc, Mutex};

use app::wire::invalid::InvalidPacket;
use app::wire::Flow;

use crate::collect::invalid::{
    CaptureConfig, CaptureError, InvalidCapture, InvalidRing,
};

/// The capture while it is on. The packets of a capture turned off stay
/// readable until another starts.
#[derive(Default)]
pub struct InvalidSwitch {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    capture: Option<InvalidCapture>,
    last_ring: Option<Arc<InvalidRing>>,
}

impl std::fmt::Debug for InvalidSwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvalidSwitch")
            .field("on", &self.is_on())
            .finish()
    }
}

impl InvalidSwitch {
    pub fn is_on(&self) -> bool {
        self.lock().capture.is_some()
    }

    /// Installs the table and starts receiving; on already is fine.
    pub fn on(&self) -> Result<(), CaptureError> {
        let mut inner = self.lock();
        if inner.capture.is_none() {
            let capture = InvalidCapture::start(CaptureConfig::default())?;
            inner.last_ring = Some(capture.ring());
            inner.capture = Some(capture);
        }
        Ok(())
    }

    /// Removes the table; off already is fine.
    pub fn off(&self) {
        self.lock().capture = None;
    }

    /// The packets of the capture that is on, or was last.
    pub fn ring(&self) -> Option<Arc<InvalidRing>> {
        self.lock().last_ring.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The packets on `flow`'s path: along its original or its reply tuple,
/// either way, so before or after NAT.
pub fn on_flow(packets: Vec<InvalidPacket>, flow: &Flow) -> Vec<InvalidPacket> {
    packets
        .into_iter()
        .filter(|p| {
            p.along(flow.proto, &flow.orig).is_some()
                || p.along(flow.proto, &flow.reply).is_some()
        })
        .collect()
}
