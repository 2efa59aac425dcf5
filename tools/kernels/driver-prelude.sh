# The functions every check of the kernel matrix uses; matrix.test.ts appends the checks.
# Runs under busybox sh, natively and in the guest, with:
#   ECLI  the ecli binary      PKGS  the built packages (PKGS/<name>/package.json)
#   BIN   busybox applets      WORK  an empty scratch directory
# Output protocol (parsed by console.ts), one marker per line:
#   KINFO <check> <key> <value>          a fact the host needs (a pid, a path, a message)
#   KOUT <check> <line> / KERR <check> <line>   ecli's stdout / stderr
#   KCHECK-END <check> <exit code>
mkdir -p "$WORK"

kinfo() { echo "KINFO $1 $2 $3"; }

# kcheck_start CHECK ARGS...: starts `ecli run -v ARGS` in the background and waits until
# its programs are attached or it has exited. (No `kill -0` here: that is a trigger.)
kcheck_start() {
  kname=$1; shift
  "$ECLI" run -v "$@" >"$WORK/$kname.out" 2>"$WORK/$kname.err" &
  kpid=$!
  ktries=0
  until grep -q 'programs attached' "$WORK/$kname.err"; do
    kstate=$(cut -d' ' -f3 "/proc/$kpid/stat" 2>/dev/null)
    if [ -z "$kstate" ] || [ "$kstate" = Z ]; then break; fi
    ktries=$((ktries + 1))
    [ "$ktries" -gt 1200 ] && break
    sleep 0.1
  done
}

# kcheck_stop: lets the last events arrive, stops ecli with SIGINT and prints what it wrote.
kcheck_stop() {
  sleep 0.5
  kill -INT "$kpid" 2>/dev/null
  wait "$kpid"
  kcode=$?
  sed "s/^/KOUT $kname /" "$WORK/$kname.out"
  sed "s/^/KERR $kname /" "$WORK/$kname.err"
  kinfo "$kname" uptime "$(cut -d' ' -f1 /proc/uptime)"
  echo "KCHECK-END $kname $kcode"
}

# The ids of every BPF program, map and link loaded, on one line.
kobjects() {
  for kind in prog map link; do
    printf '%s=' "$kind"
    bpftool -j "$kind" list 2>/dev/null | grep -o '"id":[0-9]*' | cut -d: -f2 | tr '\n' ,
    printf ' '
  done
  echo
}
