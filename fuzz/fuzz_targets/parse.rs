#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    irsa_fuzz::properties::check_parse(data);
});
