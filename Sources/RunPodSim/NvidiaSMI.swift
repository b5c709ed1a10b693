import Foundation

/// The pod's `nvidia-smi`: a small shell script in the pod's `bin` directory (first on the PATH
/// of its SSH sessions) that reports the GPUs of the pod's type with the utilisation the control
/// API set (`POST /_sim/pods/ID/gpu`), read from a state file at every call, so a tool that
/// polls nvidia-smi on a pod sees what REST's `runtime.gpus` says.
///
/// Supported: plain `nvidia-smi` (the usual table), `-L`, `-i/--id N`, and
/// `--query-gpu=FIELD,... --format=csv[,noheader][,nounits]` with index, name, uuid, count,
/// utilization.gpu, utilization.memory, memory.total, memory.used, memory.free,
/// temperature.gpu, power.draw, driver_version, pci.bus_id.
enum NvidiaSMI {
    static let driverVersion = "550.54.15"

    /// The state file's path in a pod directory; one "util memoryUtil" line per GPU.
    static func statePath(directory: String) -> String { directory + "/gpu-usage" }

    static func binDirectory(_ directory: String) -> String { directory + "/bin" }

    /// Writes `bin/nvidia-smi` and the initial state file into the pod directory.
    static func install(directory: String, gpuName: String, memoryMiB: Int, uuids: [String], cudaVersion: String, usage: String)
        throws(SimulatorError)
    {
        let bin = binDirectory(directory)
        do {
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            try script(
                state: statePath(directory: directory), gpuName: gpuName, memoryMiB: memoryMiB, uuids: uuids,
                cudaVersion: cudaVersion
            ).write(toFile: bin + "/nvidia-smi", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/nvidia-smi")
        } catch {
            throw .io("cannot write nvidia-smi into \(bin): \(error)")
        }
        writeUsage(directory: directory, usage)
    }

    /// Replaces the state file in one rename, so a concurrent `nvidia-smi` never reads half.
    static func writeUsage(directory: String, _ text: String) {
        try? text.write(toFile: statePath(directory: directory), atomically: true, encoding: .utf8)
    }

    static func script(state: String, gpuName: String, memoryMiB: Int, uuids: [String], cudaVersion: String) -> String {
        let uuidCases = uuids.enumerated().map { "    \($0.offset)) echo '\($0.element)' ;;" }.joined(separator: "\n")
        return #"""
            #!/bin/sh
            # nvidia-smi stand-in written by runpod-sim: this pod's GPUs with the utilisation set
            # through the simulator's control API (POST /_sim/pods/ID/gpu).
            STATE='\#(state)'
            COUNT=\#(uuids.count)
            NAME='\#(gpuName)'
            TOTAL=\#(memoryMiB)
            DRIVER=\#(driverVersion)
            CUDA=\#(cudaVersion)

            uuid() {
              case "$1" in
            \#(uuidCases)
              esac
            }

            # Sets U (GPU util %) and M (memory util %) for GPU $1 from the state file.
            usage() {
              U=0; M=0
              if [ -r "$STATE" ]; then
                line=$(sed -n "$(( $1 + 1 ))p" "$STATE")
                if [ -n "$line" ]; then
                  U=${line%% *}; M=${line#* }
                fi
              fi
            }

            header() {
              case "$1" in
                utilization.gpu) printf 'utilization.gpu [%%]' ;;
                utilization.memory) printf 'utilization.memory [%%]' ;;
                memory.total|memory.used|memory.free) printf '%s [MiB]' "$1" ;;
                power.draw) printf 'power.draw [W]' ;;
                *) printf '%s' "$1" ;;
              esac
            }

            field() {
              case "$1" in
                index) printf '%s' "$2" ;;
                name|gpu_name) printf '%s' "$NAME" ;;
                uuid|gpu_uuid) printf '%s' "$(uuid "$2")" ;;
                count) printf '%s' "$COUNT" ;;
                utilization.gpu) printf '%s%s' "$U" "${UNITS:+ %}" ;;
                utilization.memory) printf '%s%s' "$M" "${UNITS:+ %}" ;;
                memory.total) printf '%s%s' "$TOTAL" "${UNITS:+ MiB}" ;;
                memory.used) printf '%s%s' "$(( TOTAL * M / 100 ))" "${UNITS:+ MiB}" ;;
                memory.free) printf '%s%s' "$(( TOTAL - TOTAL * M / 100 ))" "${UNITS:+ MiB}" ;;
                temperature.gpu) printf '%s' "$(( 30 + U / 2 ))" ;;
                power.draw) printf '%s.00%s' "$(( 60 + U * 2 ))" "${UNITS:+ W}" ;;
                driver_version) printf '%s' "$DRIVER" ;;
                pci.bus_id) printf '00000000:%02X:00.0' "$(( $2 + 1 ))" ;;
              esac
            }

            known() {
              case "$1" in
                index|name|gpu_name|uuid|gpu_uuid|count|utilization.gpu|utilization.memory|memory.total|memory.used|memory.free|temperature.gpu|power.draw|driver_version|pci.bus_id) return 0 ;;
              esac
              return 1
            }

            QUERY=""; FORMAT=""; ONLY=""; LIST=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --query-gpu=*) QUERY=${1#--query-gpu=} ;;
                --query-gpu) shift; QUERY=$1 ;;
                --format=*) FORMAT=${1#--format=} ;;
                --format) shift; FORMAT=$1 ;;
                --id=*|-i=*) ONLY=${1#*=} ;;
                -i|--id) shift; ONLY=$1 ;;
                -L|--list-gpus) LIST=1 ;;
                -h|--help) echo "nvidia-smi (runpod-sim stand-in): nvidia-smi [-L] [-i N] [--query-gpu=FIELDS --format=csv[,noheader][,nounits]]"; exit 0 ;;
                *) echo "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help." >&2; exit 2 ;;
              esac
              shift
            done

            if [ -n "$ONLY" ]; then
              case "$ONLY" in *[!0-9]*|'') echo "Invalid GPU index: $ONLY" >&2; exit 6 ;; esac
              if [ "$ONLY" -ge "$COUNT" ]; then echo "No devices were found" >&2; exit 6; fi
              FIRST=$ONLY; LAST=$ONLY
            else
              FIRST=0; LAST=$(( COUNT - 1 ))
            fi

            if [ -n "$LIST" ]; then
              i=$FIRST
              while [ "$i" -le "$LAST" ]; do
                echo "GPU $i: $NAME (UUID: $(uuid "$i"))"
                i=$(( i + 1 ))
              done
              exit 0
            fi

            if [ -n "$QUERY" ]; then
              case ",$FORMAT," in *,csv,*) ;; *) echo 'Please specify the output format with --format=csv' >&2; exit 2 ;; esac
              UNITS=1; HEADER=1
              case ",$FORMAT," in *,nounits,*) UNITS="" ;; esac
              case ",$FORMAT," in *,noheader,*) HEADER="" ;; esac
              OLDIFS=$IFS; IFS=','
              for f in $QUERY; do
                if ! known "$f"; then echo "Field \"$f\" is not a valid field to query." >&2; exit 2; fi
              done
              if [ -n "$HEADER" ]; then
                sep=""
                for f in $QUERY; do printf '%s%s' "$sep" "$(header "$f")"; sep=", "; done
                printf '\n'
              fi
              i=$FIRST
              while [ "$i" -le "$LAST" ]; do
                usage "$i"
                sep=""
                for f in $QUERY; do printf '%s%s' "$sep" "$(field "$f" "$i")"; sep=", "; done
                printf '\n'
                i=$(( i + 1 ))
              done
              IFS=$OLDIFS
              exit 0
            fi

            date '+%a %b %e %H:%M:%S %Y'
            echo '+-----------------------------------------------------------------------------------------+'
            printf '| NVIDIA-SMI %-22s Driver Version: %-14s CUDA Version: %-9s|\n' "$DRIVER" "$DRIVER" "$CUDA"
            echo '|-----------------------------------------+------------------------+----------------------+'
            echo '| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |'
            echo '| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |'
            echo '|=========================================+========================+======================|'
            i=$FIRST
            while [ "$i" -le "$LAST" ]; do
              usage "$i"
              used=$(( TOTAL * M / 100 ))
              printf '| %3d  %-29s  On  |   %s Off |                    0 |\n' "$i" "$NAME" "$(field pci.bus_id "$i")"
              printf '| N/A  %3dC    P0           %4dW /  300W | %7sMiB / %6sMiB | %5s%%       Default |\n' \
                "$(( 30 + U / 2 ))" "$(( 60 + U * 2 ))" "$used" "$TOTAL" "$U"
              echo '+-----------------------------------------+------------------------+----------------------+'
              i=$(( i + 1 ))
            done
            echo
            echo '+-----------------------------------------------------------------------------------------+'
            echo '| Processes:                                                                              |'
            echo '|  No running processes found                                                             |'
            echo '+-----------------------------------------------------------------------------------------+'

            """#
    }
}
