#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    irsa_fuzz::verify_properties::check_aws_export(data);
});
