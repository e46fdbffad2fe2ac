#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    irsa_fuzz::export_properties::check_import(data);
});
