//! Fetching tiles over HTTP: a client that names the app, with timeouts and size limits.

use std::io::Read;
use std::time::Duration;

/// Largest tile body accepted; a raster tile is tens of kilobytes.
pub const MAX_TILE_BYTES: u64 = 4 * 1024 * 1024;

/// Why a tile could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {0}")]
    Status(u16),
    #[error("{0}")]
    Network(String),
    #[error("the server sent more than {MAX_TILE_BYTES} bytes for one tile")]
    TooBig,
}

impl FetchError {
    /// A 404 means "no tile here"; retrying it is pointless for a while.
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::Status(404 | 410))
    }
}

/// The HTTP client tile fetches share.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .user_agent(super::USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| {
            log::error!("could not configure the HTTP client ({e}); using defaults");
            reqwest::blocking::Client::new()
        })
}

/// Fills a `{z}/{x}/{y}` template (`{s}` becomes `a`, a subdomain most providers serve).
pub fn tile_url(template: &str, z: u8, x: u32, y: u32) -> String {
    template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string())
        .replace("{s}", "a")
}

/// How long a tile may be used without asking again when the server says nothing: a week,
/// the minimum OpenStreetMap's tile policy asks clients to cache for.
pub const DEFAULT_FRESH: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// A downloaded tile and until when the server says it stays fresh.
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub fresh_until: std::time::SystemTime,
}

/// Until when a response may be reused, from `Cache-Control: max-age` (or `no-cache`,
/// `no-store`, `must-revalidate` … as "now") and else `Expires`; a week if neither is given.
pub fn fresh_until(
    headers: &reqwest::header::HeaderMap,
    now: std::time::SystemTime,
) -> std::time::SystemTime {
    if let Some(cc) = headers
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
    {
        let cc = cc.to_ascii_lowercase();
        if cc
            .split(',')
            .any(|d| matches!(d.trim(), "no-cache" | "no-store"))
        {
            return now;
        }
        if let Some(secs) = cc
            .split(',')
            .filter_map(|d| d.trim().strip_prefix("max-age="))
            .find_map(|v| v.trim().parse::<u64>().ok())
        {
            return now + std::time::Duration::from_secs(secs);
        }
    }
    if let Some(t) = headers
        .get(reqwest::header::EXPIRES)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
    {
        return t;
    }
    now + DEFAULT_FRESH
}

/// Downloads one tile's bytes, with how long they stay fresh.
pub fn fetch_fresh(client: &reqwest::blocking::Client, url: &str) -> Result<Fetched, FetchError> {
    let response = client
        .get(url)
        .send()
        .map_err(|e| FetchError::Network(without_url(&e)))?;
    let fresh = fresh_until(response.headers(), std::time::SystemTime::now());
    let bytes = read_body(response)?;
    Ok(Fetched {
        bytes,
        fresh_until: fresh,
    })
}

/// Downloads one tile's bytes.
pub fn fetch(client: &reqwest::blocking::Client, url: &str) -> Result<Vec<u8>, FetchError> {
    let response = client
        .get(url)
        .send()
        .map_err(|e| FetchError::Network(without_url(&e)))?;
    read_body(response)
}

fn read_body(response: reqwest::blocking::Response) -> Result<Vec<u8>, FetchError> {
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_TILE_BYTES)
    {
        return Err(FetchError::TooBig);
    }
    let mut body = Vec::new();
    response
        .take(MAX_TILE_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| FetchError::Network(e.to_string()))?;
    if body.len() as u64 > MAX_TILE_BYTES {
        return Err(FetchError::TooBig);
    }
    Ok(body)
}

fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text
            .replace(&format!(" ({url})"), "")
            .replace(url.as_str(), "");
    }
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect (offline?)".to_owned()
    } else {
        text
    }
}

/// Whether a provider's terms allow bulk downloading. OpenStreetMap's standard tile servers
/// forbid it (https://operations.osmfoundation.org/policies/tiles/); others only when the user
/// says so for their own provider.
pub fn bulk_download_allowed(template: &str, marked_as_allowed: bool) -> Result<(), String> {
    let host = template
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    if host == "tile.openstreetmap.org" || host.ends_with(".tile.openstreetmap.org") {
        return Err("OpenStreetMap's tile usage policy forbids bulk downloading from tile.openstreetmap.org \
             (https://operations.osmfoundation.org/policies/tiles/). Use a provider that permits it, \
             such as your own tile server, and mark it as allowing bulk download."
            .to_owned());
    }
    if !marked_as_allowed {
        return Err(format!(
            "{host} is not marked as allowing bulk download. If its terms allow it (your own tile server, \
             for example), tick \"Allows bulk download\" for this basemap."
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osm_refuses_bulk_download_and_own_servers_may() {
        let e = bulk_download_allowed("https://tile.openstreetmap.org/{z}/{x}/{y}.png", true)
            .unwrap_err();
        assert!(e.contains("forbids bulk downloading"), "{e}");
        assert!(
            bulk_download_allowed("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", true)
                .is_err()
        );
        assert!(bulk_download_allowed("http://127.0.0.1:8080/{z}/{x}/{y}.png", false).is_err());
        assert!(bulk_download_allowed("http://127.0.0.1:8080/{z}/{x}/{y}.png", true).is_ok());
    }

    #[test]
    fn freshness_follows_the_headers() {
        use reqwest::header::{CACHE_CONTROL, EXPIRES, HeaderMap, HeaderValue};
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(fresh_until(&h, now), now + DEFAULT_FRESH);
        h.insert(
            EXPIRES,
            HeaderValue::from_static("Wed, 15 Nov 2023 00:00:00 GMT"),
        );
        assert_eq!(
            fresh_until(&h, now),
            httpdate::parse_http_date("Wed, 15 Nov 2023 00:00:00 GMT").unwrap()
        );
        h.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        );
        assert_eq!(
            fresh_until(&h, now),
            now + std::time::Duration::from_secs(3600)
        );
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        assert_eq!(fresh_until(&h, now), now);
    }

    #[test]
    fn templates_fill_in() {
        assert_eq!(
            tile_url("https://{s}.t/{z}/{x}/{y}.png", 3, 4, 5),
            "https://a.t/3/4/5.png"
        );
    }
}
