/* voice.c — WAV prompts through an SDL audio queue (no callback thread of ours). */
#include "voice.h"

#include <SDL.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct voice {
	char dir[PATH_MAX];
	int tried; /* the audio subsystem was tried */
	SDL_AudioDeviceID dev;
	SDL_AudioSpec spec; /* of the open device */
};

struct voice *voice_open(const char *dir)
{
	if (!dir)
		return NULL;
	struct voice *v = calloc(1, sizeof *v);
	if (v)
		snprintf(v->dir, sizeof v->dir, "%s", dir);
	return v;
}

static int device_for(struct voice *v, const SDL_AudioSpec *want)
{
	if (v->dev && v->spec.freq == want->freq && v->spec.format == want->format &&
	    v->spec.channels == want->channels)
		return 1;
	if (v->dev) {
		SDL_CloseAudioDevice(v->dev);
		v->dev = 0;
	}
	if (!v->tried) {
		v->tried = 1;
		if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0)
			return 0;
	}
	if (!SDL_WasInit(SDL_INIT_AUDIO))
		return 0;
	SDL_AudioSpec s = *want;
	s.callback = NULL;
	v->dev = SDL_OpenAudioDevice(NULL, 0, &s, &v->spec, 0);
	return v->dev != 0;
}

int voice_say(struct voice *v, const char *language, const char *key)
{
	if (!v || !key)
		return 0;
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s/%s.wav", v->dir, language, key) >= (int)sizeof path)
		return 0;
	SDL_AudioSpec spec;
	Uint8 *buf = NULL;
	Uint32 len = 0;
	if (!SDL_LoadWAV(path, &spec, &buf, &len))
		return 0;
	int ok = device_for(v, &spec);
	if (ok) {
		SDL_ClearQueuedAudio(v->dev);
		ok = SDL_QueueAudio(v->dev, buf, len) == 0;
		SDL_PauseAudioDevice(v->dev, 0);
	}
	SDL_FreeWAV(buf);
	return ok;
}

void voice_close(struct voice *v)
{
	if (!v)
		return;
	if (v->dev)
		SDL_CloseAudioDevice(v->dev);
	if (v->tried && SDL_WasInit(SDL_INIT_AUDIO))
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
	free(v);
}
