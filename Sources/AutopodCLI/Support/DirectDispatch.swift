import ArgumentParser
import FoundationEssentials

/// Parses a command line that names a leaf command (`list`, `config show`) as that command
/// alone, the way a tool with a super-command parses its parts (`swift package`): every leaf
/// declares `_superCommandName`. Anything this does not parse cleanly (help, `--version`, a
/// completion request, a usage error) gives nil, and `AutopodCommand.parseAsRoot` parses it
/// the ordinary way, so all text the parser writes is what it always was.
///
/// Why: before it parses, swift-argument-parser tries the whole command line twice as a
/// `--generate-completion-script` request unless the root has a super-command name. Those two
/// tries, and building the root's own arguments, were a seventh of `autopod list`'s start.
enum DirectDispatch {
    static func parse(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> (any ParsableCommand)? {
        guard let (leaf, rest) = leaf(named: arguments) else { return nil }
        // Help comes back as the parser's own HelpCommand, for the root to write.
        guard let command = try? leaf.parseAsRoot(rest), type(of: command) == leaf else { return nil }
        return command
    }

    /// The leaf command the first words name, and the words after them. nil when the words do
    /// not name one: a group's default subcommand (`tunnel POD PORTS`) is left to the root.
    static func leaf(named arguments: [String]) -> (ParsableCommand.Type, [String])? {
        var commands = AutopodCommand.configuration.subcommands
        var rest = arguments[...]
        while let word = rest.first, let match = commands.first(where: { $0.configuration.commandName == word }) {
            rest = rest.dropFirst()
            commands = match.configuration.subcommands
            if commands.isEmpty { return match.configuration._superCommandName == nil ? nil : (match, Array(rest)) }
        }
        return nil
    }
}
