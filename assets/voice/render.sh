#!/usr/bin/env bash
# render.sh STRINGS_DIR OUT_DIR — renders the spoken prompts at build time with espeak-ng:
# for each language, the texts of start.choose, every step.* prompt, error.title and
# ui.out_of_service, exactly as the screen shows them as caption, become
# OUT_DIR/<language>/<key>.wav (Mandarin voice "cmn" for zh-CN, "en" for English), with
# the text beside it in <key>.txt. The UI plays them with SDL audio.
set -euo pipefail
strings=$1 out=$2
for lang in zh-CN en; do
	voice=en
	[ "$lang" = zh-CN ] && voice=cmn
	mkdir -p "$out/$lang"
	awk -F' *= *' '
		/^\[/ { gsub(/[][]/, ""); s = $0; next }
		/^[a-z_0-9]+ *=/ {
			key = s "." $1
			if (key == "start.choose" || s == "step" || key == "error.title" || key == "ui.out_of_service") {
				text = $0; sub(/^[^=]*= */, "", text); print key "\t" text
			}
		}' "$strings/$lang.ini" |
		while IFS=$'\t' read -r key text; do
			if [ ! -f "$out/$lang/$key.txt" ] || [ "$(cat "$out/$lang/$key.txt")" != "$text" ]; then
				espeak-ng -v "$voice" -s 150 -w "$out/$lang/$key.wav" "$text"
				printf '%s' "$text" >"$out/$lang/$key.txt"
			fi
		done
done
