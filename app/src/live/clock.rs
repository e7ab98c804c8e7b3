//! Wall-clock time in ms since the Unix epoch, on either side.

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
