# Fuzz target for what the central site puts in the inbox: pick-up orders and fee table
# updates (kiosk/sync/pickup.c, kiosk/sync/feeupdate.c), over tests/fuzz/inbox/*.json.
file(GLOB FUZZ_INBOX_SEEDS ${CMAKE_CURRENT_LIST_DIR}/inbox/*.json)
kiosk_fuzz(inbox "fuzz;sync" ${FUZZ_INBOX_SEEDS})
