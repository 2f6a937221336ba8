# Fuzz target for the CRL file sent to the central site (kiosk/sync/crlfile.c) over
# tests/fuzz/crlfile/*: CRLs made with openssl ca -gencrl under a test CA (7 with no
# entries, PEM; 8 with a certificate on hold; one without a crlNumber, one numbered
# 2^64), the held one cut at 120 bytes, and a certificate in PEM with its text before it.
file(GLOB FUZZ_CRLFILE_SEEDS ${CMAKE_CURRENT_LIST_DIR}/crlfile/*)
kiosk_fuzz(crlfile "fuzz;sync" ${FUZZ_CRLFILE_SEEDS})
