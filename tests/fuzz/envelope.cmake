# Fuzz target for the envelope of an encryption key (drivers/token/envelope.c) over
# tests/fuzz/envelope/*.der, written by `test_envelope DIR` on the keys rig: envelopes of
# both schemes (RSA-OAEP, ECDH P-256) with RSA and EC encryption keys, one of each scheme
# with another public key put in, two cut in half, 512 bytes of garbage.
file(GLOB FUZZ_ENVELOPE_SEEDS ${CMAKE_CURRENT_LIST_DIR}/envelope/*.der)
kiosk_fuzz(envelope "fuzz;keys" ${FUZZ_ENVELOPE_SEEDS})
