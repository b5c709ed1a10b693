import AutopodSupport

/// The watchdog autopod runs on every pod it reaches (see `WatchdogInstaller`): a POSIX shell
/// script that needs nothing else but curl, python3 or wget, kept here as text so the binary
/// carries it. It reads its limits from `guard.conf` beside it, checks the pod every POLL
/// seconds of the pod's clock, writes `status` after each check, and when a limit is reached
/// writes `stopped` and a line in `guard.log`, tells the pod's terminals, renames the pod to
/// carry the reason (stop only), and asks RunPod's API, with the pod's own key, to stop or
/// terminate the pod.
///
/// `Tests/AutopodCoreTests` runs shellcheck over it and drives it against runpod-sim.
public enum WatchdogScript {
    public static let text = #"""
        #!/bin/sh
        # autopod's guard on this pod. autopod wrote it and starts it; `autopod guard POD` changes its
        # limits (guard.conf beside it). It stops, or terminates, the pod through RunPod's API with the
        # pod's own RUNPOD_API_KEY once the pod has been idle, has run, or has spent past its limits,
        # so a pod nobody uses stops billing even when the laptop that started it is asleep.
        #
        # Idle: no SSH session runs a shell or a command, no forwarded connection carries data, every
        # GPU is below GPU_BUSY% and the pod's CPU below CPU_BUSY% of one core, at every check.
        # Needs a POSIX sh and one of curl, python3 or wget. Usage: watchdog.sh DIRECTORY
        set -u
        DIR=$1
        cd "$DIR" || exit 1
        API=${RUNPOD_API_BASE_URL:-https://api.runpod.io}
        API=${API%/}
        POD=${RUNPOD_POD_ID:?}
        MYNS=$(readlink /proc/self/ns/net 2>/dev/null) || MYNS=none
        # The pod's clock moves on its own in a simulator (RUNPOD_SIM_CLOCK): look at it every second.
        TICK=''
        [ -n "${RUNPOD_SIM_CLOCK:-}" ] && TICK=1

        # NOW: the pod's time (a simulator's clock when there is one); REAL: this machine's.
        clock() {
          REAL=$(date +%s)
          NOW=$REAL
          if [ -n "${RUNPOD_SIM_CLOCK:-}" ] && read -r c_real c_sim c_scale < "$RUNPOD_SIM_CLOCK"; then
            NOW=$((c_sim + (REAL - c_real) * c_scale / 1000))
          fi
        }

        log() {
          printf '%s %s\n' "$(date -u -d "@$NOW" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "$NOW")" "$*" >> guard.log
        }

        load() {
          IDLE_LIMIT=0 MAX_RUNTIME=0 BUDGET=0 ACTION=stop RATE=0 SPENT=0 RUNTIME=0 POLL=30 ANCHOR=''
          GPU_BUSY=5 CPU_BUSY=25 IO_BUSY=1024 NAME='' IDLE_TEXT='idle' RUNTIME_TEXT='runtime' BUDGET_TEXT='budget' RESUME=''
          # shellcheck disable=SC1091
          . ./guard.conf
          clock
          # Runtime and spend in guard.conf are as of ANCHOR, when autopod wrote it.
          T0=${ANCHOR:-$NOW}
          IDLE_SINCE=$NOW
          ACTED=''
        }

        # Whether process $1 belongs to this pod (a simulator runs many pods on one kernel).
        mine() {
          [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "$MYNS" ]
        }

        # sshd's listening processes on this pod, found once with a walk over /proc and looked for
        # again only when they are gone (sshd restarted): a check then reads a few files below them
        # instead of every process's. A listener's parent is not sshd.
        LISTENERS=''
        WALKED=0
        find_listeners() {
          LISTENERS=''
          set +f
          for f in /proc/[0-9]*/stat; do
            { read -r line < "$f"; } 2>/dev/null || continue
            comm=${line#*(}
            comm=${comm%)*}
            case $comm in sshd) ;; *) continue ;; esac
            set -f
            # shellcheck disable=SC2086
            set -- ${line##*) }
            set +f
            { read -r parent < "/proc/$2/comm"; } 2>/dev/null || parent=''
            [ "$parent" = sshd ] && continue
            pid=${line%% *}
            mine "$pid" && LISTENERS="$LISTENERS $pid"
          done
          set -f
        }

        # CHILDREN: the processes $1 started.
        children() {
          CHILDREN=''
          { read -r CHILDREN < "/proc/$1/task/$1/children"; } 2>/dev/null || true
        }

        # Sets BUSY when an SSH session runs something (a shell, a command), or when an SSH connection
        # moved more than IO_BUSY bytes a second since the last check: forwarded connections carrying
        # data, a file transfer. A connection that only holds quiet forwards (a tunnel from a laptop
        # that went to sleep, or one nobody uses: its keepalives are far below IO_BUSY) is not busy.
        sessions() {
          alive=''
          for l in $LISTENERS; do
            { read -r comm < "/proc/$l/comm"; } 2>/dev/null && [ "$comm" = sshd ] && alive="$alive $l"
          done
          WALKED=$((WALKED + 1))
          # No listener: look again, though not at every check (a pod may run no sshd at all).
          if [ -z "$alive" ] && { [ -n "$LISTENERS" ] || [ "$WALKED" -ge 10 ] || [ "$WALKED" = 1 ]; }; then
            find_listeners
            WALKED=1
            alive=$LISTENERS
          fi
          LISTENERS=$alive
          io_now=''
          for l in $LISTENERS; do
            children "$l"
            for connection in $CHILDREN; do connection "$connection"; done
          done
          IO_BEFORE=$io_now
        }

        # $1: an sshd serving one connection (or, for a user other than root, its unprivileged half).
        connection() {
          bytes=0
          while read -r key value; do
            case $key in rchar: | wchar:) bytes=$((bytes + value)) ;; esac
          done < "/proc/$1/io"
          io_now="$io_now $1:$bytes"
          for p in $IO_BEFORE; do
            if [ "${p%%:*}" = "$1" ] && [ $((bytes - ${p#*:})) -gt $((IO_BUSY * (REAL - REAL_BEFORE))) ]; then
              BUSY=${BUSY:-SSH connections carry data}
            fi
          done
          children "$1"
          for child in $CHILDREN; do
            { read -r comm < "/proc/$child/comm"; } 2>/dev/null || continue
            case $comm in
              sshd*) connection "$child" ;;
              # A shell or a command: only a pure forwarding connection runs nothing.
              *) BUSY='an SSH session is open' ;;
            esac
          done
        }

        gpus() {
          command -v nvidia-smi > /dev/null 2>&1 || return 0
          out=$(nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits 2> /dev/null) || return 0
          for u in $out; do
            case $u in '' | *[!0-9]*) continue ;; esac
            if [ "$u" -ge "$GPU_BUSY" ]; then
              BUSY="GPU at $u%"
              return
            fi
          done
        }

        # The pod's CPU time (its cgroup, as a container sees it): CPU_FILE and CPU_KIND.
        cpu_setup() {
          CPU_FILE='' CPU_KIND='' CPU_BEFORE=''
          v2='' v1=''
          while IFS=: read -r _ controllers path; do
            case ,$controllers, in
              ,,) v2=$path ;;
              *,cpuacct,*) v1=$path ;;
            esac
          done < /proc/self/cgroup
          if [ -r /sys/fs/cgroup/cgroup.controllers ]; then
            for f in "/sys/fs/cgroup$v2/cpu.stat" /sys/fs/cgroup/cpu.stat; do
              [ -r "$f" ] && { CPU_FILE=$f CPU_KIND=v2; return; }
            done
          fi
          for base in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpuacct,cpu; do
            for f in "$base$v1/cpuacct.usage" "$base/cpuacct.usage"; do
              [ -r "$f" ] && { CPU_FILE=$f CPU_KIND=v1; return; }
            done
          done
        }

        cpu() {
          [ -n "$CPU_FILE" ] || return 0
          used=''
          if [ "$CPU_KIND" = v2 ]; then
            while read -r key value; do [ "$key" = usage_usec ] && used=$value; done < "$CPU_FILE"
          else
            read -r used < "$CPU_FILE" && used=$((used / 1000))
          fi
          [ -n "$used" ] || return 0
          if [ -n "$CPU_BEFORE" ] && [ "$REAL" -gt "$REAL_BEFORE" ]; then
            percent=$(((used - CPU_BEFORE) / (REAL - REAL_BEFORE) / 10000))
            [ "$percent" -ge "$CPU_BUSY" ] && [ -z "$BUSY" ] && BUSY="CPU at $percent% of a core"
          fi
          CPU_BEFORE=$used
        }

        # METHOD PATH [BODY]: 0 when RunPod answered 2xx (the reply is in ./reply); ERR says why not.
        http() {
          rm -f reply
          if command -v curl > /dev/null 2>&1; then
            # The key goes in through stdin, not the command line.
            ERR=$(printf 'header = "Authorization: Bearer %s"\n' "$RUNPOD_API_KEY" |
              curl -K - -sS -f -m 30 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} -o reply "$API$2" 2>&1)
          elif command -v python3 > /dev/null 2>&1; then
            ERR=$(python3 - "$1" "$API$2" "${3:-}" 2>&1 << 'PYTHON'
        import os, sys, urllib.request
        method, url, body = sys.argv[1:4]
        request = urllib.request.Request(url, data=body.encode() if body else None, method=method, headers={
            "Authorization": "Bearer " + os.environ["RUNPOD_API_KEY"], "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                open("reply", "wb").write(answer.read())
        except Exception as error:
            sys.exit(str(error))
        PYTHON
            )
          elif command -v wget > /dev/null 2>&1; then
            if [ "$1" = POST ]; then
              ERR=$(wget -q -T 30 -O reply --header="Authorization: Bearer $RUNPOD_API_KEY" \
                --header='Content-Type: application/json' --post-data="${3:-}" "$API$2" 2>&1)
            else
              ERR=$(wget -q -T 30 -O reply --header="Authorization: Bearer $RUNPOD_API_KEY" \
                --header='Content-Type: application/json' --method="$1" --body-data="${3:-}" "$API$2" 2>&1)
            fi
          else
            ERR='no curl, python3 or wget on this pod'
            return 1
          fi
        }

        # stop | terminate, through REST v2, or GraphQL where that fails.
        pod_action() {
          http POST "/v2/pods/$POD/action" "{\"action\":\"$1\"}" && return 0
          rest=$ERR
          if [ "$1" = stop ]; then
            mutation="podStop(input: {podId: \\\"$POD\\\"}) { id }"
          else
            mutation="podTerminate(input: {podId: \\\"$POD\\\"})"
          fi
          if ! http POST /graphql "{\"query\":\"mutation { $mutation }\"}"; then
            ERR="REST v2: $rest; GraphQL: $ERR"
            return 1
          fi
          answer=$(cat reply)
          case $answer in *'"errors"'*) ERR="GraphQL: $answer" && return 1 ;; esac
          return 0
        }

        # Writes a line to every terminal of this pod, as wall does for a machine's.
        tell() {
          # `set --` below takes the positional parameters over.
          message=$1
          seen=' '
          set +f
          for f in /proc/[0-9]*/stat; do
            { read -r line < "$f"; } 2>/dev/null || continue
            set -f
            # shellcheck disable=SC2086
            set -- ${line##*) }
            [ "$5" = 0 ] && continue
            pid=${line%% *}
            mine "$pid" || continue
            for fd in 0 1 2; do
              t=$(readlink "/proc/$pid/fd/$fd" 2>/dev/null) || continue
              case $t in /dev/pts/* | /dev/tty*) ;; *) continue ;; esac
              case $seen in *" $t "*) continue ;; esac
              seen="$seen$t "
              # In the background: a terminal nobody reads must not hold the stop up.
              (printf '\r\n%s\r\n' "$message" > "$t") 2>/dev/null &
            done
          done
          set -f
          # The stop ends every session at once: give the lines a moment to reach the people
          # at those terminals first.
          [ "$seen" = ' ' ] || sleep 2
        }

        act() {
          if [ -z "$ACTED" ]; then
            ACTED=1
            log "$ACTION: $1"
            printf '%s %s %s\n' "$NOW" "$ACTION" "$1" > stopped
            if [ "$ACTION" = terminate ]; then
              tell "autopod: terminating this pod now ($1). Everything on it is deleted."
            else
              tell "autopod: stopping this pod now ($1). Its volume is kept${RESUME:+; $RESUME resumes it}."
              # The reason where `autopod list` and RunPod's console show it; put back on the next start.
              if [ -n "$NAME" ] && http PATCH "/v2/pods/$POD" "{\"name\":\"$NAME (stopped by autopod: $1)\"}"; then
                : > renamed
              fi
            fi
          fi
          if pod_action "$ACTION"; then
            log "RunPod accepted the $ACTION"
          else
            log "could not $ACTION the pod, trying again at the next check: $ERR"
          fi
        }

        # After a start: the name goes back to what it was.
        restore_name() {
          [ -f renamed ] && [ -n "$NAME" ] || return 0
          if http PATCH "/v2/pods/$POD" "{\"name\":\"$NAME\"}"; then
            rm -f renamed
          else
            log "could not give the pod its name back: $ERR"
          fi
        }

        check() {
          BUSY=''
          sessions
          cpu
          [ -n "$BUSY" ] || gpus
          [ -n "$BUSY" ] && IDLE_SINCE=$NOW
          idle=$((NOW - IDLE_SINCE))
          runtime=$((RUNTIME + NOW - T0))
          spent=$((SPENT + RATE * (NOW - T0) / 3600))
          printf 'checked=%s\nidle=%s\nbusy=%s\nruntime=%s\nspent=%s\npid=%s\n' \
            "$NOW" "$idle" "$BUSY" "$runtime" "$spent" "$$" > status.new && mv status.new status
          if [ "$MAX_RUNTIME" -gt 0 ] && [ "$runtime" -ge "$MAX_RUNTIME" ]; then
            act "$RUNTIME_TEXT"
          elif [ "$BUDGET" -gt 0 ] && [ "$spent" -ge "$BUDGET" ]; then
            act "$BUDGET_TEXT"
          elif [ "$IDLE_LIMIT" -gt 0 ] && [ "$idle" -ge "$IDLE_LIMIT" ]; then
            act "$IDLE_TEXT"
          fi
        }

        RELOAD=''
        SLEEPER=''
        trap 'RELOAD=1' USR1
        trap 'kill $SLEEPER 2>/dev/null; log "watchdog $$ ended"; exit 0' TERM INT
        set -f
        echo $$ > pid
        load
        log "watchdog $$ started"
        restore_name
        cpu_setup
        IO_BEFORE=''
        clock
        REAL_BEFORE=$REAL
        # The first check is one interval after autopod wrote the limits, however late this
        # shell got going.
        LAST=$T0
        while :; do
          read -r owner < pid || owner=''
          # A newer watchdog took over.
          [ "$owner" = $$ ] || exit 0
          if [ -n "$RELOAD" ]; then
            RELOAD=''
            load
            log "watchdog $$ reloaded its limits"
          fi
          clock
          if [ $((NOW - LAST)) -ge "$POLL" ]; then
            LAST=$NOW
            check
            REAL_BEFORE=$REAL
          fi
          sleep "${TICK:-$POLL}" &
          SLEEPER=$!
          wait "$SLEEPER"
          kill "$SLEEPER" 2>/dev/null
        done
        """#
}
