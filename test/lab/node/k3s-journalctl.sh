#!/bin/sh
# journalctl inside a lab k3s node (installed as /usr/local/sbin/journalctl and
# /usr/bin/journalctl there): prints the text journal the lab's k3s supervisor
# (k3s-sim.mjs) keeps, one file per unit, /var/log/journal/<unit>.log, lines
# `<epoch-ms> <line as journalctl -o short prints it>`.
# Honours what kube-bench's k3s audits pass: -u UNIT (repeatable; `k3s` means
# k3s.service), -m (merge every journal: the lab keeps one), -D DIR (read the
# journal files in DIR), --no-pager; other options are accepted and ignored.
# No -u: every unit. Entries of several units come out merged in time order;
# none at all prints "-- No entries --", as journalctl does.
dir=/var/log/journal
units=
while [ $# -gt 0 ]; do
  case $1 in
    -u | --unit) units="$units ${2%.service}.service"; shift 2; continue ;;
    -u*) u=${1#-u}; units="$units ${u%.service}.service" ;;
    --unit=*) u=${1#--unit=}; units="$units ${u%.service}.service" ;;
    -D | --directory) dir=$2; shift 2; continue ;;
    --directory=*) dir=${1#--directory=} ;;
    *) ;;
  esac
  shift
done
set --
if [ -z "$units" ]; then
  for f in "$dir"/*.log; do [ -f "$f" ] && set -- "$@" "$f"; done
else
  for u in $units; do [ -f "$dir/$u.log" ] && set -- "$@" "$dir/$u.log"; done
fi
if [ $# -eq 0 ]; then
  echo '-- No entries --'
  exit 0
fi
out=$(sort -s -n -k1,1 "$@" | cut -d' ' -f2-)
if [ -z "$out" ]; then echo '-- No entries --'; else printf '%s\n' "$out"; fi
