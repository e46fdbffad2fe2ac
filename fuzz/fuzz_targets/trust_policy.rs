#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    irsa_fuzz::verify_properties::check_trust_policy(data);
});
