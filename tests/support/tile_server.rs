//! A real HTTP tile server on 127.0.0.1 for tests: PNG tiles whose colour encodes z/x/y, and the
//! faults servers really produce.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The colour a tile is drawn in: red = zoom × 10, green = x mod 256, blue = y mod 256.
pub fn tile_colour(z: u8, x: u32, y: u32) -> [u8; 3] {
    [z.wrapping_mul(10), (x % 256) as u8, (y % 256) as u8]
}

pub fn tile_png(z: u8, x: u32, y: u32) -> Vec<u8> {
    let [r, g, b] = tile_colour(z, x, y);
    let img = image::RgbaImage::from_pixel(256, 256, image::Rgba([r, g, b, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG encodes");
    out
}

/// A running server; stops when dropped.
pub struct TileServer {
    pub port: u16,
    stop: Arc<AtomicBool>,
    /// Requests per path.
    pub hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl TileServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (stop2, hits2) = (stop.clone(), hits.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let hits = hits2.clone();
                        std::thread::spawn(move || serve(stream, &hits));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { port, stop, hits }
    }

    /// URL template of a route: `tiles`, `404`, `500`, `reset`, `garbage`, `huge`, `slow`.
    pub fn template(&self, route: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{route}/{{z}}/{{x}}/{{y}}.png",
            self.port
        )
    }

    pub fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    pub fn total_hits(&self, route: &str) -> usize {
        self.hits
            .lock()
            .map(|h| {
                h.iter()
                    .filter(|(k, _)| k.starts_with(&format!("/{route}/")))
                    .map(|(_, v)| v)
                    .sum()
            })
            .unwrap_or(0)
    }
}

impl Drop for TileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The accept loop polls; give it a moment so the port is really closed.
        std::thread::sleep(Duration::from_millis(30));
    }
}

fn serve(mut stream: TcpStream, hits: &Mutex<HashMap<String, usize>>) {
    let _ = stream.set_nonblocking(false);
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    if let Ok(mut h) = hits.lock() {
        *h.entry(path.clone()).or_default() += 1;
    }
    let parts: Vec<&str> = path
        .trim_start_matches('/')
        .trim_end_matches(".png")
        .split('/')
        .collect();
    let [route, z, x, y] = parts[..] else {
        let _ = respond(&mut stream, "404 Not Found", "text/plain", b"no such tile");
        return;
    };
    let (Ok(z), Ok(x), Ok(y)) = (z.parse::<u8>(), x.parse::<u32>(), y.parse::<u32>()) else {
        let _ = respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            b"bad tile address",
        );
        return;
    };
    let _ = match route {
        "tiles" => respond(&mut stream, "200 OK", "image/png", &tile_png(z, x, y)),
        // Tiles the server says must be checked again before reuse.
        "stale" => respond_with(
            &mut stream,
            "200 OK",
            "image/png",
            "Cache-Control: no-cache\r\n",
            &tile_png(z, x, y),
        ),
        "404" => respond(
            &mut stream,
            "404 Not Found",
            "text/html",
            b"<h1>Not found</h1>",
        ),
        "500" => respond(
            &mut stream,
            "500 Internal Server Error",
            "text/html",
            b"<h1>Oops</h1>",
        ),
        "garbage" => respond(
            &mut stream,
            "200 OK",
            "image/png",
            b"<html>this is not an image</html>",
        ),
        "huge" => respond(&mut stream, "200 OK", "image/png", &huge_png_header()),
        "reset" => {
            // Close without a word: the client sees a reset or an empty reply.
            let _ = stream.shutdown(std::net::Shutdown::Both);
            Ok(())
        }
        "slow" => {
            let body = tile_png(z, x, y);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            for chunk in body.chunks(64).take(20) {
                std::thread::sleep(Duration::from_millis(100));
                if stream.write_all(chunk).is_err() {
                    break;
                }
            }
            // ... and never finish.
            Ok(())
        }
        _ => respond(&mut stream, "404 Not Found", "text/plain", b"unknown route"),
    };
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    respond_with(stream, status, content_type, "", body)
}

fn respond_with(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    extra_headers: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra_headers}Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// A PNG that claims to be 100 000 × 100 000 pixels.
fn huge_png_header() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(1, 1, image::Rgba([0, 0, 0, 255]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG encodes");
    // Patch the IHDR width and height (bytes 16..24) and its CRC.
    out[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    out[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}
