# Fuzz target for reading the certificates on a user's key (kiosk/pki/cert.c) over
# tests/fuzz/cert/*.der. The seeds (units, persons, ours / Jiangsu CA / foreign, a
# 63-character name, a bad and a missing ID number, a notAfter in 2081) were made with
# openssl req/x509 -utf8 under the two CA certificates kept beside them.
file(GLOB FUZZ_CERT_SEEDS ${CMAKE_CURRENT_LIST_DIR}/cert/*.der)
kiosk_fuzz(cert "fuzz;keys" ${FUZZ_CERT_SEEDS})
target_compile_definitions(fuzz_cert PRIVATE FUZZ_CERT_DIR="${CMAKE_CURRENT_LIST_DIR}/cert")
if(KIOSK_FUZZ)
  target_compile_definitions(fuzz_cert_libfuzzer
                             PRIVATE FUZZ_CERT_DIR="${CMAKE_CURRENT_LIST_DIR}/cert")
endif()
