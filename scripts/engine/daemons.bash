# shellcheck shell=bash
# Sourced by scripts/engine/engine: the local registry and the engine
# processes, their namespace, and cleaning up after them.

# _pid_alive PIDFILE NEEDLE: the pid in PIDFILE runs and its command line
# contains NEEDLE (guards against a reused pid). Prints the pid.
_pid_alive() {
  local pidfile=$1 needle=$2 pid
  [[ -f "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$needle" || return 1
  printf '%s\n' "$pid"
}

# _kill_pid PID NAME: TERM, wait up to 30 s, then KILL.
_kill_pid() {
  local pid=$1 name=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    [[ -e /proc/$pid ]] || { log "stopped $name (pid $pid)"; return 0; }
    sleep 0.5
  done
  warn "$name (pid $pid) did not stop on TERM in 30s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do [[ -e /proc/$pid ]] || return 0; sleep 0.5; done
}

# _pids_with CMDLINE_PART EXE_NAME: pids of processes named EXE_NAME whose
# command line contains CMDLINE_PART (our state folder, so never anyone else's).
_pids_with() {
  local part=$1 exe=$2 p comm
  for p in /proc/[0-9]*; do
    comm=
    read -r comm 2>/dev/null <"$p/comm" || true
    [[ $comm == "$exe" ]] || continue
    tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$part" && printf '%s\n' "${p#/proc/}"
  done
  return 0
}

# _pid_exiting PID: a zombie, or a process whose command line is already gone.
_pid_exiting() {
  local st
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $st == [ZX] ]] && return 0
  [[ -z "$(tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null)" ]]
}

# ---------------------------------------------------------------- registry

registry_running() { _pid_alive "$RUN_DIR/registry.pid" "$REGISTRY_DIR/config.yml" >/dev/null; }
registry_answers() { curl -fsS -o /dev/null --max-time 3 "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

start_registry() {
  local i
  if registry_running && registry_answers; then return 0; fi
  stop_registry
  if registry_answers; then
    die "something else already answers on $REGISTRY_ADDR; stop it or set MODELCI_REGISTRY_PORT"
  fi
  mkdir -p "$REGISTRY_DIR/data" "$RUN_DIR" "$LOG_DIR"
  _rotate_log "$LOG_DIR/registry.log"
  cat >"$REGISTRY_DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  # 9>&-: the daemon must not inherit the lock of the engine script.
  OTEL_TRACES_EXPORTER=none setsid docker-registry serve "$REGISTRY_DIR/config.yml" \
    </dev/null >>"$LOG_DIR/registry.log" 2>&1 9>&- &
  echo $! >"$RUN_DIR/registry.pid"
  for ((i = 0; i < 60; i++)); do
    registry_answers && { log "registry answers on http://$REGISTRY_ADDR (pid $(<"$RUN_DIR/registry.pid"))"; return 0; }
    registry_running || break
    sleep 0.5
  done
  tail -n 20 "$LOG_DIR/registry.log" >&2 || true
  die "the registry did not start on $REGISTRY_ADDR; log: $LOG_DIR/registry.log"
}

stop_registry() {
  local pid
  if pid=$(_pid_alive "$RUN_DIR/registry.pid" "$REGISTRY_DIR/config.yml"); then
    _kill_pid "$pid" registry
  fi
  for pid in $(_pids_with "$REGISTRY_DIR/config.yml" docker-registry); do
    _kill_pid "$pid" "leftover registry"
  done
  rm -f "$RUN_DIR/registry.pid"
}

# _rotate_log FILE: keep one old copy once FILE passes 20 MB.
_rotate_log() {
  [[ -f "$1" ]] || return 0
  if (( $(stat -c %s "$1") > 20 * 1024 * 1024 )); then mv -f "$1" "$1.1"; fi
}

# ------------------------------------------------------------------ engine

engine_running() { _pid_alive "$RUN_DIR/engine.pid" "$STATE_DIR" >/dev/null; }

# _client_env CMD...: run CMD as a client of our engine.
_client_env() {
  env _EXPERIMENTAL_DAGGER_RUNNER_HOST="unix://$ENGINE_SOCK" \
    _EXPERIMENTAL_DAGGER_CLI_BIN="$BIN_DIR/dagger" \
    DAGGER_NO_NAG=1 DO_NOT_TRACK=1 PATH="$BIN_DIR:$PATH" "$@"
}

engine_answers() {
  [[ -S "$ENGINE_SOCK" ]] || return 1
  _client_env timeout 30 "$BIN_DIR/dagger" core version >/dev/null 2>&1
}

_write_engine_config() {
  mkdir -p "$ENGINE_CONF_DIR" "$CNI_DIR"
  cat >"$ENGINE_CONF_DIR/engine.toml" <<TOML
# Written by scripts/engine/engine; rewritten at every start.
root = "$STATE_DIR"

[grpc]
  address = ["unix://$ENGINE_SOCK"]

[registry."docker.io"]
  mirrors = ["$REGISTRY_ADDR"]

[registry."$REGISTRY_ADDR"]
  http = true
  insecure = true
TOML
  local p
  for p in bridge loopback firewall host-local portmap; do
    [[ -x /usr/lib/cni/$p ]] || die "CNI plugin /usr/lib/cni/$p missing (Debian package containernetworking-plugins)"
    ln -sfn "/usr/lib/cni/$p" "$CNI_DIR/$p"
  done
  ln -sfn "$BIN_DIR/dnsname" "$CNI_DIR/dnsname"
}

# ns_exec: runs inside `unshare --mount --propagation private` and execs the
# engine. Host paths the engine writes (/etc, /var/lib, /usr/local, /run) are
# overlays or a tmpfs here, with upper folders under $NS_DIR, so the host is
# left untouched; upstream's fixed paths are mounted from the cache.
ns_exec() {
  local d m
  rm -rf "$NS_DIR"
  for d in etc varlib usrlocal; do mkdir -p "$NS_DIR/$d/upper" "$NS_DIR/$d/work"; done
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$NS_DIR/etc/upper,workdir=$NS_DIR/etc/work" /etc
  mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$NS_DIR/varlib/upper,workdir=$NS_DIR/varlib/work" /var/lib
  mount -t overlay overlay -o "lowerdir=/usr/local,upperdir=$NS_DIR/usrlocal/upper,workdir=$NS_DIR/usrlocal/work" /usr/local
  mount -t tmpfs -o mode=0755 tmpfs /run
  # The engine logs at debug level unless its own config says otherwise.
  mkdir -p /etc/dagger
  printf '{"logLevel": "%s"}\n' "${MODELCI_ENGINE_LOG_LEVEL:-info}" >/etc/dagger/engine.json
  # No custom CAs for the engine to inject into every container unless asked
  # (it costs ~7 s per module call); our images carry the host CA bundle.
  if [[ "${MODELCI_ENGINE_CUSTOM_CA:-}" != host ]]; then
    mkdir -p /usr/local/share/ca-certificates
    mount -t tmpfs -o mode=0755 tmpfs /usr/local/share/ca-certificates
  fi
  rm -rf /var/lib/cni
  mkdir -p /usr/local/bin /usr/local/share/dagger/content "$CONTENT_DIR"
  ln -sfn "$(command -v runc)" /usr/local/bin/runc
  : >/usr/local/bin/dagger-init
  mount --bind "$BIN_DIR/dagger-init" /usr/local/bin/dagger-init
  mount --bind "$CONTENT_DIR" /usr/local/share/dagger/content
  for m in /etc /var/lib /usr/local /run; do mountpoint -q "$m" || die "namespace setup: $m is not mounted"; done
  log "engine $DAGGER_VERSION starting in its mount namespace (pid $$)"
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  if [[ -s "$STAMP_DIR/gosdk-image" ]]; then
    DAGGER_GO_SDK_MANIFEST_DIGEST=$(<"$STAMP_DIR/gosdk-image")
    export DAGGER_GO_SDK_MANIFEST_DIGEST
  fi
  exec "$BIN_DIR/dagger-engine" --config "$ENGINE_CONF_DIR/engine.toml" \
    --root "$STATE_DIR" --oci-cni-binary-dir "$CNI_DIR" \
    --network-name "$ENGINE_NET" --network-cidr "$ENGINE_CIDR" ${MODELCI_ENGINE_DEBUG:+--debug}
}

start_engine() {
  local i pid start
  if engine_running && engine_answers; then return 0; fi
  stop_engine
  cleanup_network
  mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$CONTENT_DIR"
  rm -f "$ENGINE_SOCK"
  # A snapshot once mounted "volatile" (engines built before the patch in
  # build.bash) and not cleanly unmounted cannot be mounted again until
  # the kernel's marker goes; nothing is mounted while the engine is down.
  find "$STATE_DIR/worker/snapshots/snapshots" -mindepth 3 -maxdepth 3 -path '*/work/incompat' -prune -exec rm -rf {} + 2>/dev/null || true
  _rotate_log "$LOG_DIR/engine.log"
  _write_engine_config
  start=$(date +%s)
  setsid unshare --mount --propagation private "$ENGINE_SCRIPTS/engine" _ns-exec \
    </dev/null >>"$LOG_DIR/engine.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$RUN_DIR/engine.pid"
  for ((i = 0; i < 240; i++)); do
    if [[ ! -e /proc/$pid ]]; then
      tail -n 30 "$LOG_DIR/engine.log" >&2 || true
      die "the engine exited during start; log: $LOG_DIR/engine.log"
    fi
    if engine_answers; then
      log "engine answers on unix://$ENGINE_SOCK after $(( $(date +%s) - start ))s (pid $pid)"
      return 0
    fi
    sleep 1
  done
  tail -n 30 "$LOG_DIR/engine.log" >&2 || true
  die "the engine did not answer 'dagger core version' in 240s; log: $LOG_DIR/engine.log"
}

stop_engine() {
  local pid
  if pid=$(_pid_alive "$RUN_DIR/engine.pid" "$STATE_DIR"); then
    _kill_pid "$pid" engine
  fi
  # An engine of ours whose pid file was lost still holds our state folder.
  for pid in $(_pids_with "$STATE_DIR" dagger-engine); do
    _kill_pid "$pid" "leftover engine"
  done
  rm -f "$RUN_DIR/engine.pid" "$ENGINE_SOCK"
}

# _any_engine_runs: some dagger-engine process runs on this host (ours or not).
# Engines that are exiting (killed, tearing down their namespace) are waited
# for, up to 30 s, and do not count.
_any_engine_runs() {
  local p i exiting comm
  for ((i = 0; i < 60; i++)); do
    exiting=
    for p in /proc/[0-9]*; do
      comm=
      read -r comm 2>/dev/null <"$p/comm" || true
      [[ $comm == dagger-engine ]] || continue
      if _pid_exiting "${p#/proc/}"; then exiting=1; else return 0; fi
    done
    [[ -z "$exiting" ]] && return 1
    sleep 0.5
  done
  return 1
}

# cleanup_network: what an engine leaves on the host when it dies: the
# ${ENGINE_NET}0 bridge, its iptables rules and chains, its dnsmasq, CNI state.
# Only when no engine runs at all (another engine would share our network's
# name), and only what our network owns: other CNI users (podman, kubelet)
# keep theirs.
cleanup_network() {
  local pid
  if _any_engine_runs; then
    log "another dagger-engine runs on this host; leaving the network as it is"
    return 0
  fi
  for pid in $(engine_dnsmasq_pids); do
    _kill_pid "$pid" "leftover dnsmasq"
  done
  remove_engine_network
}

# engine_dnsmasq_pids: the dnsmasq processes serving our network. Their
# --conf-file lies under /var/run/containers/cni/dnsname/<network>/, a folder
# podman's dnsname plugin uses for its networks too.
engine_dnsmasq_pids() { _pids_with "/cni/dnsname/$ENGINE_NET/" dnsmasq; }

# Our network's marker: CNI's bridge plugin (and portmap) put the comment
# `name: "<network>" id: "<container id>"` on every rule they add, <network>
# being the "name" of the conflist the engine writes from --network-name.
#
# _cni_plan IPT TABLE [CIDR]: what of TABLE is our network's, from one
# listing: "X CHAIN" for a CNI-* chain whose rules all carry our marker (and
# that has rules, or a rule of ours jumps to it); "D CHAIN NUM RULE" (last
# first; RULE as `-L CHAIN NUM -n` prints it, blanks squeezed) for a rule
# elsewhere that carries our marker, jumps to such a chain, or, in
# CNI-FORWARD and with CIDR given, matches an address in CIDR. CNI-FORWARD is
# the firewall plugin's chain shared by every CNI network; its per-container
# rules carry no comment.
_cni_plan() {
  "$1" -t "$2" -L -n --line-numbers 2>/dev/null | awk -v net="$ENGINE_NET" -v cidr="${3:-}" '
    function ip2n(s,  a) { split(s, a, "."); return ((a[1] * 256 + a[2]) * 256 + a[3]) * 256 + a[4] }
    # incidr F: F (an address or address/len, as iptables -L -n prints it) lies in cidr.
    function incidr(f,  ip, len, p) {
      if (cidr == "" || f !~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(\/[0-9]+)?$/) return 0
      len = 32; ip = f; p = index(f, "/")
      if (p) { ip = substr(f, 1, p - 1); len = substr(f, p + 1) + 0 }
      if (len < clen) return 0
      return int(ip2n(ip) / 2 ^ (32 - clen)) == int(cnet / 2 ^ (32 - clen))
    }
    BEGIN {
      mark = "/* name: \"" net "\" id: \""
      if (cidr != "") { p = index(cidr, "/"); cnet = ip2n(substr(cidr, 1, p - 1)); clen = substr(cidr, p + 1) + 0 }
    }
    /^Chain / { chain = $2; order[++nc] = chain; n[chain] = 0; ours[chain] = 0; next }
    /^num / || NF == 0 { next }
    {
      k = chain SUBSEP (++n[chain]); num[k] = $1; tgt[k] = $2
      rule = $0; $1 = ""; sig[k] = substr($0, 2); $0 = rule
      mk[k] = index($0, mark) > 0
      addr[k] = chain == "CNI-FORWARD" && (incidr($5) || incidr($6))
      if (mk[k]) { ours[chain]++; if ($2 ~ /^CNI-/) jumped[$2] = 1 }
    }
    END {
      for (i = 1; i <= nc; i++) {
        c = order[i]
        if (c ~ /^CNI-/ && n[c] == ours[c] && (n[c] > 0 || c in jumped)) own[c] = 1
      }
      for (i = 1; i <= nc; i++) {
        c = order[i]
        if (c in own) { print "X", c; continue }
        for (j = n[c]; j >= 1; j--) {
          k = c SUBSEP j
          if (mk[k] || (tgt[k] in own) || addr[k]) print "D", c, num[k], sig[k]
        }
      }
    }'
}

# remove_engine_network: delete the ${ENGINE_NET}0 bridge, our network's
# iptables rules and chains (_cni_plan; filter, nat, mangle, raw; ip6tables
# too) and its CNI state in $CNI_STATE_DIR. Nothing is selected by a CNI-*
# prefix alone; the firewall plugin's shared CNI-FORWARD and CNI-ADMIN stay.
# Callers make sure no engine runs (cleanup_network); the tests call it in a
# network namespace of their own (scripts/engine/tests/cni-chains).
remove_engine_network() {
  local ipt t op c n rule cidr plan removed chains
  if ip link show "${ENGINE_NET}0" >/dev/null 2>&1; then
    ip link delete "${ENGINE_NET}0" && log "deleted bridge ${ENGINE_NET}0"
  fi
  for ipt in iptables ip6tables; do
    have "$ipt" || continue
    for t in filter nat mangle raw; do
      cidr=
      [[ $ipt == iptables && $t == filter ]] && cidr=$ENGINE_CIDR
      plan=$(_cni_plan "$ipt" "$t" "$cidr") || continue
      [[ -n "$plan" ]] || continue
      chains=() removed=0
      while read -r op c n rule; do
        case $op in
          X) chains+=("$c") ;;
          D)
            # By number, so only if it is still the rule that was listed
            # (another CNI user may be adding rules right now).
            if [[ "$("$ipt" -t "$t" -L "$c" "$n" -n 2>/dev/null | awk '{ $1 = $1; print }')" == "$rule" ]]; then
              "$ipt" -t "$t" -D "$c" "$n" 2>/dev/null && removed=$((removed + 1))
            else
              warn "$ipt $t $c: rule $n changed while cleaning up; left in place ($rule)"
            fi
            ;;
        esac
      done <<<"$plan"
      for c in "${chains[@]}"; do "$ipt" -t "$t" -F "$c" 2>/dev/null || true; done
      for c in "${chains[@]}"; do "$ipt" -t "$t" -X "$c" 2>/dev/null || warn "could not delete $ipt $t chain $c"; done
      log "removed ${#chains[@]} $ipt $t chains and $removed rules of network $ENGINE_NET"
    done
  done
  # Network state written outside the namespace (older scripts, crashes).
  if [[ -d "$CNI_STATE_DIR" ]]; then
    rm -rf "$CNI_STATE_DIR/networks/$ENGINE_NET" "$CNI_STATE_DIR/results/$ENGINE_NET"-* 2>/dev/null || true
    rmdir "$CNI_STATE_DIR/networks" "$CNI_STATE_DIR/results" "$CNI_STATE_DIR" 2>/dev/null || true
  fi
}

# our_cni_chain_count: how many iptables chains our network has (for status).
our_cni_chain_count() {
  local ipt t n=0
  for ipt in iptables ip6tables; do
    have "$ipt" || continue
    for t in filter nat mangle raw; do
      n=$((n + $(_cni_plan "$ipt" "$t" | grep -c '^X ' || true)))
    done
  done
  echo "$n"
}
