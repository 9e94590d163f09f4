//! Coordinates as people type and read them: decimal degrees, degrees-minutes-seconds, either order.

/// Formats an angle as degrees, minutes and seconds: `10°57'36.1"`.
pub fn format_dms(value: f64) -> String {
    let v = value.abs();
    let mut deg = v.trunc();
    let mut min = ((v - deg) * 60.0).trunc();
    let mut sec = ((v - deg) * 60.0 - min) * 60.0;
    // 59.96" rounds to 60.0": carry it so we never print 60".
    if (sec * 10.0).round() >= 600.0 {
        sec = 0.0;
        min += 1.0;
    }
    if min >= 60.0 {
        min = 0.0;
        deg += 1.0;
    }
    format!("{deg:.0}°{min:02.0}′{sec:04.1}″")
}

/// `10°57′36.1″ N, 106°39′00.0″ E`.
pub fn format_lat_lon_dms(lon: f64, lat: f64) -> String {
    let ns = if lat >= 0.0 { 'N' } else { 'S' };
    let ew = if lon >= 0.0 { 'E' } else { 'W' };
    format!("{} {ns}, {} {ew}", format_dms(lat), format_dms(lon))
}

/// `10.96670° N, 106.65000° E`.
pub fn format_lat_lon(lon: f64, lat: f64) -> String {
    let ns = if lat >= 0.0 { 'N' } else { 'S' };
    let ew = if lon >= 0.0 { 'E' } else { 'W' };
    format!("{:.5}° {ns}, {:.5}° {ew}", lat.abs(), lon.abs())
}

/// `10.96670, 106.65000`: what "Copy coordinates" puts on the clipboard (latitude first, as
/// most map sites accept).
pub fn format_for_clipboard(lon: f64, lat: f64) -> String {
    format!("{lat:.6}, {lon:.6}")
}

/// One parsed angle and the hemisphere letter written with it, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Angle {
    value: f64,
    hemisphere: Option<char>,
}

/// Reads a position typed by a user: `11.05, 106.67`, `11.05 106.67`, `106.67, 11.05` (longitude
/// first when the first number cannot be a latitude), `10°57'36"N 106°39'E`, `N 10 57.6 E 106 39`.
/// Returns `[lon, lat]`, or `None` when the text is not a position.
pub fn parse_position(text: &str) -> Option<[f64; 2]> {
    let angles = parse_angles(text)?;
    let [a, b] = angles;
    let is_lat = |x: &Angle| matches!(x.hemisphere, Some('N' | 'S'));
    let is_lon = |x: &Angle| matches!(x.hemisphere, Some('E' | 'W'));
    let (lat, lon) = if is_lat(&a) || is_lon(&b) {
        (a.value, b.value)
    } else if is_lon(&a) || is_lat(&b) {
        (b.value, a.value)
    } else if a.value.abs() > 90.0 && b.value.abs() <= 90.0 {
        // The first number cannot be a latitude: the user wrote longitude first.
        (b.value, a.value)
    } else {
        (a.value, b.value)
    };
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some([lon, lat])
}

/// Splits the text into exactly two angles.
fn parse_angles(text: &str) -> Option<[Angle; 2]> {
    // Tokens: numbers (with sign and decimal point or comma-free) and hemisphere letters.
    let mut groups: Vec<(Vec<f64>, Option<char>, bool)> = Vec::new();
    let mut current: (Vec<f64>, Option<char>, bool) = (Vec::new(), None, false);
    let chars: Vec<char> = text.trim().chars().collect();
    let mut i = 0;
    let flush = |groups: &mut Vec<(Vec<f64>, Option<char>, bool)>,
                 cur: &mut (Vec<f64>, Option<char>, bool)| {
        if !cur.0.is_empty() {
            groups.push(std::mem::take(cur));
        }
    };
    let mut pending_hemisphere: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit()
            || c == '.'
            || ((c == '-' || c == '+')
                && chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_digit() || *n == '.'))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = s.parse().ok()?;
            if current.0.len() == 3 {
                flush(&mut groups, &mut current);
            }
            if current.0.is_empty() {
                current.1 = pending_hemisphere.take();
            }
            current.0.push(v);
            continue;
        }
        match c.to_ascii_uppercase() {
            'N' | 'S' | 'E' | 'W' => {
                if current.0.is_empty() {
                    pending_hemisphere = Some(c.to_ascii_uppercase());
                } else if current.1.is_none() {
                    // A letter after the numbers closes their angle: `10°57'N`.
                    current.1 = Some(c.to_ascii_uppercase());
                    flush(&mut groups, &mut current);
                } else {
                    // The angle had its letter in front (`N 10 57`): this one opens the next.
                    flush(&mut groups, &mut current);
                    pending_hemisphere = Some(c.to_ascii_uppercase());
                }
            }
            ',' | ';' => flush(&mut groups, &mut current),
            '°' | '\'' | '′' | '"' | '″' | ' ' | '\t' | 'º' => {
                // A space separates two plain decimals, but within DMS it separates parts: decide
                // below by counting.
                current.2 |= c != ' ' && c != '\t';
            }
            _ => return None,
        }
        i += 1;
    }
    flush(&mut groups, &mut current);
    // "11.05 106.67": one group of two plain numbers is two decimal angles.
    if groups.len() == 1 && groups[0].0.len() == 2 && !groups[0].2 && groups[0].1.is_none() {
        let g = &groups[0].0;
        return Some([
            Angle {
                value: g[0],
                hemisphere: None,
            },
            Angle {
                value: g[1],
                hemisphere: None,
            },
        ]);
    }
    if groups.len() != 2 {
        return None;
    }
    let angle = |(parts, hemisphere, _): &(Vec<f64>, Option<char>, bool)| -> Option<Angle> {
        let (d, m, s) = (
            parts.first().copied()?,
            parts.get(1).copied().unwrap_or(0.0),
            parts.get(2).copied().unwrap_or(0.0),
        );
        if !(0.0..60.0).contains(&m) || !(0.0..60.0).contains(&s) {
            return None;
        }
        let mut value = d.abs() + m / 60.0 + s / 3600.0;
        if d < 0.0 || matches!(hemisphere, Some('S' | 'W')) {
            value = -value;
        }
        Some(Angle {
            value,
            hemisphere: *hemisphere,
        })
    };
    Some([angle(&groups[0])?, angle(&groups[1])?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6
    }

    #[test]
    fn decimal_latitude_first() {
        assert!(near(
            parse_position("11.05, 106.67").unwrap(),
            [106.67, 11.05]
        ));
        assert!(near(
            parse_position("11.05 106.67").unwrap(),
            [106.67, 11.05]
        ));
        assert!(near(
            parse_position(" -33.9;151.2 ").unwrap(),
            [151.2, -33.9]
        ));
    }

    #[test]
    fn longitude_first_when_it_cannot_be_a_latitude() {
        assert!(near(
            parse_position("106.67, 11.05").unwrap(),
            [106.67, 11.05]
        ));
    }

    #[test]
    fn degrees_minutes_seconds_with_hemispheres() {
        let p = parse_position("10°57'36\"N 106°39'00\"E").unwrap();
        assert!(near(p, [106.65, 10.96]), "{p:?}");
        let p = parse_position("106°39′E, 10°57.6′N").unwrap();
        assert!(near(p, [106.65, 10.96]), "{p:?}");
        let p = parse_position("S 33 52 0 E 151 12 0").unwrap();
        assert!(near(p, [151.2, -33.0 - 52.0 / 60.0]), "{p:?}");
    }

    #[test]
    fn names_are_not_positions() {
        assert_eq!(parse_position("Thu Dau Mot"), None);
        assert_eq!(parse_position("VSIP 2"), None);
        assert_eq!(parse_position("11.05"), None);
        assert_eq!(parse_position("95, 200"), None);
    }

    #[test]
    fn dms_prints_and_carries() {
        assert_eq!(format_dms(10.96), "10°57′36.0″");
        assert_eq!(format_dms(10.999_999_9), "11°00′00.0″");
        assert_eq!(
            format_lat_lon_dms(106.65, 10.96),
            "10°57′36.0″ N, 106°39′00.0″ E"
        );
    }
}
