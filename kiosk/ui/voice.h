/* voice.h — spoken prompts: <dir>/<language>/<key>.wav, rendered at build time by
 * espeak-ng from the same strings the screen shows as caption, played with SDL audio.
 * Without an audio device or without the files the kiosk stays silent. */
#ifndef KIOSK_UI_VOICE_H
#define KIOSK_UI_VOICE_H

struct voice;

/* Opens the audio device lazily later; dir is copied. Returns NULL when dir is NULL or
 * out of memory (a NULL voice is silent). */
struct voice *voice_open(const char *dir);
/* Plays the prompt of key in language ("zh-CN", "en"), cutting off the one playing.
 * Returns 1 when a prompt was queued, 0 when silent (no file, no device). */
int voice_say(struct voice *v, const char *language, const char *key);
void voice_close(struct voice *v);

#endif
