/* rig.h — starting and stopping the device simulators (tests/peers) for device tests:
 * each runs in a temporary folder with its pty linked at DIR/NAME.tty and its control
 * socket at DIR/NAME.ctl. */
#ifndef KIOSK_TEST_RIG_H
#define KIOSK_TEST_RIG_H

#include <stddef.h>
#include <sys/types.h>

/* Makes a fresh temporary folder into dir (size bytes). Returns 0 on success. */
int rig_dir(char *dir, size_t size);
/* Starts the simulator program prog as NAME in dir and waits until it is ready.
 * Extra arguments (NULL-terminated) follow. Returns its pid, or -1. */
pid_t rig_start(const char *prog, const char *dir, const char *name, ...);
/* Stops a simulator started by rig_start (SIGTERM, then reaps it). */
void rig_stop(pid_t pid);
/* Sends one control line to simulator NAME in dir; its answer goes into reply.
 * Returns 0 for "ok…". */
int rig_ctl(const char *dir, const char *name, const char *line, char *reply, size_t size);
/* Removes the folder made by rig_dir and what is in it. */
void rig_clean(const char *dir);

#endif
