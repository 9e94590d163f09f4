//! Tile bytes to pixels, refusing what is not a sane tile before spending memory on it.

use std::io::Cursor;

/// Largest tile edge accepted (a 512-px tile at 2× is 1024; anything beyond is not a tile).
pub const MAX_TILE_EDGE: u32 = 2048;

/// Why tile bytes could not become pixels.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not an image ({0})")]
    NotAnImage(String),
    #[error("image of {0} × {1} pixels is too large for a tile")]
    TooLarge(u32, u32),
    #[error("cannot decode the image: {0}")]
    Decode(String),
}

/// Decodes PNG, JPEG or WebP tile bytes to RGBA pixels. The header is read first: an image that
/// claims absurd dimensions is refused before any pixel memory is allocated.
pub fn decode_tile(bytes: &[u8]) -> Result<egui::ColorImage, DecodeError> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::NotAnImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(DecodeError::NotAnImage("unknown format".to_owned()));
    }
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| DecodeError::NotAnImage(e.to_string()))?;
    if w > MAX_TILE_EDGE || h > MAX_TILE_EDGE || w == 0 || h == 0 {
        return Err(DecodeError::TooLarge(w, h));
    }
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::NotAnImage(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_TILE_EDGE);
    limits.max_image_height = Some(MAX_TILE_EDGE);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| DecodeError::Decode(e.to_string()))?;
    let rgba = image.to_rgba8();
    Ok(egui::ColorImage::from_rgba_unmultiplied(
        [rgba.width() as usize, rgba.height() as usize],
        rgba.as_raw(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 20, 30, 255]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_png_tile_decodes() {
        let img = decode_tile(&png(256, 256)).unwrap();
        assert_eq!(img.size, [256, 256]);
        assert_eq!(img.pixels[0], egui::Color32::from_rgb(10, 20, 30));
    }

    #[test]
    fn html_error_pages_are_not_images() {
        let e = decode_tile(b"<html><body>502 Bad Gateway</body></html>").unwrap_err();
        assert!(matches!(e, DecodeError::NotAnImage(_)), "{e}");
    }

    #[test]
    fn a_header_claiming_100000_pixels_is_refused_before_decoding() {
        // A valid PNG signature and IHDR chunk claiming 100 000 × 100 000, and no pixel data.
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(b"IHDR");
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let crc = crc32fast::hash(&ihdr);
        bytes.extend_from_slice(&13u32.to_be_bytes());
        bytes.extend_from_slice(&ihdr);
        bytes.extend_from_slice(&crc.to_be_bytes());
        // An empty IDAT and the IEND: the decoder reads up to the first IDAT for the header.
        for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
            bytes.extend_from_slice(&0u32.to_be_bytes());
            bytes.extend_from_slice(chunk);
            bytes.extend_from_slice(&crc32fast::hash(chunk).to_be_bytes());
        }
        let e = decode_tile(&bytes).unwrap_err();
        assert!(matches!(e, DecodeError::TooLarge(100_000, 100_000)), "{e}");
    }
}
