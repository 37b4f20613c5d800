//! Unit tests of the VCF reader: one inline VCF per caller dialect and per failure.

#[test]
fn probe_real_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/vcf");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = match super::CallReader::open(&path, &super::Options::default()) {
            Ok(r) => r,
            Err(e) => { eprintln!("OPEN {e}"); continue; }
        };
        let mut calls = Vec::new();
        let mut n = 0;
        let mut first = None;
        loop {
            match reader.next_calls(&mut calls) {
                Ok(true) => { n += calls.len(); if first.is_none() && !calls.is_empty() { first = Some(calls[0].clone()); } }
                Ok(false) => break,
                Err(e) => { eprintln!("ERR {e}"); break; }
            }
        }
        eprintln!("{} {:?} {} calls {n} first {:?}", path.display(), reader.caller(), reader.sample(), first);
    }
}
