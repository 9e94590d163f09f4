//! Legacy Vietnamese encodings: the tables against the system's own converter, every letter
//! with every tone mark, and detection on real place names.

use corridor::io::vn_text::{LegacyEncoding, decode, detect, encode, tcvn3_table, vni_table};

/// Every Vietnamese letter with a diacritic, lower and upper case (134).
fn letters() -> Vec<char> {
    vni_table().iter().map(|(c, _)| *c).collect()
}

#[test]
fn the_tcvn3_table_is_the_systems_tcvn5712_converter() {
    // glibc's iconv knows TCVN 5712; every byte of the table must decode the same there.
    let table = tcvn3_table();
    assert!(table.len() >= 130, "{} entries", table.len());
    for (byte, ch) in table {
        let out = std::process::Command::new("iconv")
            .args(["-f", "TCVN5712-1", "-t", "UTF-8"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().expect("stdin").write_all(&[*byte])?;
                child.wait_with_output()
            })
            .expect("iconv (Debian's libc-bin) runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            ch.to_string(),
            "byte {byte:02X}"
        );
    }
}

#[test]
fn every_letter_with_every_tone_round_trips() {
    let all = letters();
    assert_eq!(all.len(), 134, "67 letters, each in both cases");
    // VNI writes ì and í (both cases) as Windows-1252 does; every other letter differs.
    let same: Vec<char> = all
        .iter()
        .copied()
        .filter(|c| encode(&c.to_string(), LegacyEncoding::Vni) == c.to_string())
        .collect();
    assert_eq!(same, ['ì', 'Ì', 'í', 'Í']);
    for &c in &all {
        let text = format!("x{c}y");
        // VNI holds every letter in both cases.
        let vni = encode(&text, LegacyEncoding::Vni);
        assert_eq!(decode(&vni, LegacyEncoding::Vni), text, "VNI {c} as {vni}");
        // TCVN3 holds every lowercase letter; the capitals it lacks come back in lowercase
        // (in a mixed-case word) or in capitals (in an all-capitals word).
        let tcvn = encode(&text, LegacyEncoding::Tcvn3);
        let back = decode(&tcvn, LegacyEncoding::Tcvn3);
        if c.is_lowercase() {
            assert_eq!(back, text, "TCVN3 {c} as {tcvn}");
        } else {
            let lower: String = c.to_lowercase().collect();
            assert!(
                back == text || back == format!("x{lower}y"),
                "TCVN3 {c} as {tcvn} came back as {back}"
            );
            let shout = format!("XY{c}Z");
            assert_eq!(
                decode(
                    &encode(&shout, LegacyEncoding::Tcvn3),
                    LegacyEncoding::Tcvn3
                ),
                shout,
                "an all-capitals word keeps {c} a capital"
            );
        }
    }
}

/// The 2025 wards of former Bình Dương and the localities: real names, with every tone mark.
const NAMES: &[&str] = &[
    "Thủ Dầu Một",
    "Phú Lợi",
    "Bình Dương",
    "Phú An",
    "Chánh Hiệp",
    "Dầu Tiếng",
    "Minh Thạnh",
    "Long Hòa",
    "Thanh An",
    "Bến Cát",
    "Trừ Văn Thố",
    "Bàu Bàng",
    "Chánh Phú Hòa",
    "Long Nguyên",
    "Tây Nam",
    "Thới Hòa",
    "Hòa Lợi",
    "Phú Giáo",
    "Phước Thành",
    "An Long",
    "Phước Hòa",
    "Tân Uyên",
    "Tân Khánh",
    "Bắc Tân Uyên",
    "Thường Tân",
    "Vĩnh Tân",
    "Bình Cơ",
    "Tân Hiệp",
    "Dĩ An",
    "Tân Đông Hiệp",
    "Đông Hòa",
    "Lái Thiêu",
    "Thuận Giao",
    "An Phú",
    "Thuận An",
    "Bình Hòa",
    "Khu công nghiệp khoa học công nghệ",
    "Khu đô thị dịch vụ cao cấp",
];

#[test]
fn real_names_are_detected_and_decoded_in_each_encoding() {
    for enc in LegacyEncoding::ALL {
        let misread: Vec<String> = NAMES.iter().map(|n| encode(n, enc)).collect();
        assert_eq!(
            detect(misread.iter().map(String::as_str)),
            Some(enc),
            "{} names: {misread:?}",
            enc.name()
        );
        for (name, m) in NAMES.iter().zip(&misread) {
            // TCVN3 writes capitals with tone marks (Đ aside) in lowercase; the names here
            // start with plain or Đ capitals.
            assert_eq!(&decode(m, enc), name, "{} {m}", enc.name());
        }
    }
    // The same names in Unicode are not taken for either.
    assert_eq!(detect(NAMES.iter().copied()), None);
}

#[test]
fn a_few_misread_words_among_plain_ones_decide_nothing() {
    let mut texts = vec!["Zone A", "Lot 12", "Crème brûlée", "São Paulo", "Ñandú"];
    texts.push("B×nh");
    assert_eq!(
        detect(texts.iter().copied()),
        None,
        "one word is not evidence"
    );
}
