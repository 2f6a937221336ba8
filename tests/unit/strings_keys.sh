#!/usr/bin/env bash
# Every string key the program uses exists in every language file, and every language
# file has the same keys. Keys are literals like "step.pay" in kiosk/ sources and in
# tests/scenarios (expect error/notice/print ...).
set -euo pipefail
src=${KIOSK_SOURCE_DIR:?}
# the sections the language files have: a literal "section.key" in the code must exist
sections=$(grep -ho '^\[[a-z_]*\]' "$src"/assets/strings/*.ini | tr -d '[]' | sort -u | paste -sd'|')

keys_of() { # section.key of an ini file
	awk -F' *= *' '/^\[/ { gsub(/[][]/, ""); s = $0; next } /^[a-z_0-9]+ *=/ { print s "." $1 }' "$1" | sort -u
}
used=$( { grep -rhoE "\"($sections)\.[a-z_0-9]+\"" "$src/kiosk" | tr -d '"'
	  grep -rhoE "^(expect (error|notice|print)|keys fail|idreader error) ($sections)\.[a-z_0-9]+" "$src/tests/scenarios" | awk '{print $NF}'
	} | grep -vE "\.(h|c)$" | sort -u)

fail=0
files=("$src"/assets/strings/*.ini)
first=$(keys_of "${files[0]}")
for f in "${files[@]}"; do
	missing=$(comm -23 <(echo "$used") <(keys_of "$f"))
	if [ -n "$missing" ]; then
		echo "$f lacks keys the program uses:"; echo "$missing" | sed 's/^/  /'; fail=1
	fi
	diff=$(diff <(echo "$first") <(keys_of "$f") || true)
	if [ -n "$diff" ]; then
		echo "${files[0]} and $f differ in keys:"; echo "$diff" | sed 's/^/  /'; fail=1
	fi
done
n=$(echo "$used" | wc -l)
if [ $fail -eq 0 ]; then echo "$n passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
