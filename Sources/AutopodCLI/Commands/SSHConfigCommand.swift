import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod ssh-config [POD] [--write]`: OpenSSH entries for pods, so `ssh NAME`, rsync, git,
/// VS Code and Cursor reach them by name, through `autopod proxy`, with strict host-key checks.
struct SSHConfigCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-config",
        _superCommandName: "autopod",
        abstract: "Print (or keep in ~/.ssh) OpenSSH Host entries for your pods: `ssh NAME` then just works.",
        discussion: """
            Each entry is named after the pod (and its id) and reaches it through `autopod proxy`, \
            which finds the pod's current address, so the entry stays right after a stop and \
            start. OpenSSH checks the host key autopod pinned (HostKeyAlias in a known_hosts \
            file autopod keeps in step with its pins, StrictHostKeyChecking yes): a new key \
            after a real restart is accepted, any other change is refused.

            --write keeps every pod's entry in ~/.ssh/autopod.conf (rewritten by connect, \
            start, stop and kill; terminated pods drop out) and, after asking once, adds one \
            line at the top of ~/.ssh/config: `Include ~/.ssh/autopod.conf`. Nothing else in \
            your config is changed.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(
        help: ArgumentHelp("Pod id, name, or a unique prefix of either (all pods when left out).", valueName: "pod"),
        completion: LocalCompletions.pods)
    var reference: String?
    @Flag(help: "Every pod (the default when no POD is given).")
    var all = false
    @Flag(help: "Keep the entries in ~/.ssh/autopod.conf and include that file from ~/.ssh/config.")
    var write = false
    @Flag(name: .shortAndLong, help: "With --write: add the Include line without asking.")
    var yes = false

    func validate() throws {
        if all && reference != nil { throw ValidationError("give a pod or --all, not both") }
    }

    func run(_ context: CommandContext) throws {
        let views = try context.manager.refresh()
        let entries = OpenSSHEntries(paths: context.paths, config: context.config, environment: context.environment)
        do {
            try OpenSSHKnownHosts.sync(paths: context.paths)
        } catch {
            throw CLIFailure("cannot write \(context.paths.openSSHKnownHosts.path): \(error)")
        }
        if !write {
            let chosen = reference == nil ? views : [try PodManager.find(reference, in: views)]
            print(entries.entries(chosen.map(\.record)).render(), terminator: "")
            return
        }
        do {
            try entries.write(views.map(\.record))
        } catch {
            throw CLIFailure("cannot write \(entries.configFile.path): \(error)")
        }
        let live = views.filter { !$0.record.isTerminated }
        let names = live.map { SSHConfigEntries.isHostName($0.record.name) ? $0.record.name : $0.record.id }
        print(Style.ok("✓") + " wrote \(live.count) \(live.count == 1 ? "entry" : "entries") to \(entries.configFile.path)")
        try SSHIncludeStep(yes: yes).run(entries, paths: context.paths)
        if let first = names.first { print("  try: ssh \(first.terminalSafe)") }
    }
}
