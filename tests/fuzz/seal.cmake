# Fuzz target for the electronic seal on a user's key (kiosk/pki/seal.c) over
# tests/fuzz/seal/*.der: seals written by `test_seal DIR` (a unit seal bound to the
# holder's certificate, a person seal bound by SHA-256 hash, an SM2-with-SM3 seal, a
# GM/T 0031 seal built with ASN1_generate_nconf), the unit seal cut in half, 512 bytes of
# garbage; the holder's and the seal-making CA's certificates are kept beside them.
file(GLOB FUZZ_SEAL_SEEDS ${CMAKE_CURRENT_LIST_DIR}/seal/*.der)
kiosk_fuzz(seal "fuzz;keys" ${FUZZ_SEAL_SEEDS})
target_compile_definitions(fuzz_seal PRIVATE FUZZ_SEAL_DIR="${CMAKE_CURRENT_LIST_DIR}/seal")
if(KIOSK_FUZZ)
  target_compile_definitions(fuzz_seal_libfuzzer
                             PRIVATE FUZZ_SEAL_DIR="${CMAKE_CURRENT_LIST_DIR}/seal")
endif()
