//! Wall-clock time in ms since the Unix epoch, on either side, and the
//! clock that ages and timeouts on a page count against.

use leptos::prelude::*;

#[cfg(not(feature = "hydrate"))]
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(feature = "hydrate")]
pub fn now_ms() -> u64 {
    web_sys::js_sys::Date::now() as u64
}

/// The time, starting at `start_ms` (the server's, so that hydration
/// renders what the server did) and ticking every second in the browser.
pub fn clock(start_ms: u64) -> RwSignal<u64> {
    let now = RwSignal::new(start_ms);
    #[cfg(feature = "hydrate")]
    set_interval(move || now.set(now_ms()), std::time::Duration::from_secs(1));
    now
}

/// Seconds left of a flow's `timeout`, which the kernel gave as of
/// `updated_ms`.
pub fn remaining_secs(
    timeout: Option<u32>,
    updated_ms: u64,
    now_ms: u64,
) -> Option<u64> {
    let elapsed = now_ms.saturating_sub(updated_ms) / 1000;
    timeout.map(|t| u64::from(t).saturating_sub(elapsed))
}
