/// One listing of a whole remote tree with many requests in flight: up to `maxOpen`
/// directories are read at once, each with `readAhead` READDIRs outstanding (sftp-server
/// answers them in order, about 100 names each), so a tree costs a few round trips per level
/// instead of one or more per directory.
final class SFTPTreeWalk {
    let client: SFTPClient
    let root: String
    let recursive: Bool
    let descend: (String) -> Bool
    private var tree = SFTPTree(entries: [], unreadable: [])
    private var waiting: [String] = [""]
    private var nextWaiting = 0
    private var active = 0
    private var failure: SFTPError?

    static let maxOpen = 16
    static let readAhead = 4

    init(client: SFTPClient, root: String, recursive: Bool, descend: @escaping (String) -> Bool) {
        self.client = client
        self.root = root
        self.recursive = recursive
        self.descend = descend
    }

    func run() throws(SFTPError) -> SFTPTree {
        client.engine.work = { [unowned self] () throws(SSHError) -> Bool in self.pump() }
        defer { client.engine.work = nil }
        try client.run { [unowned self] in failure != nil || (nextWaiting >= waiting.count && active == 0) }
        if let failure { throw failure }
        return tree
    }

    private func path(_ relative: String) -> String {
        relative.isEmpty ? root : (root.hasSuffix("/") ? root + relative : root + "/" + relative)
    }

    private func pump() -> Bool {
        var did = false
        while active < Self.maxOpen, nextWaiting < waiting.count {
            open(waiting[nextWaiting])
            nextWaiting += 1
            did = true
        }
        return did
    }

    private final class Listing {
        let relative: String
        let handle: [UInt8]
        var inFlight = 0
        var finished = false
        init(relative: String, handle: [UInt8]) {
            self.relative = relative
            self.handle = handle
        }
    }

    private func open(_ relative: String) {
        active += 1
        let channel = client.primary
        let full = path(relative)
        channel.request(.opendir, path: full) { [self] reply in
            var r = reply.reader
            guard reply.type == SFTPProtocol.MessageType.handle.rawValue, let handle = r.data() else {
                let error = reply.error("opendir", full)
                if relative.isEmpty { failure = error } else { tree.unreadable.append(error) }
                active -= 1
                return
            }
            readMore(Listing(relative: relative, handle: handle), on: channel)
        }
    }

    private func readMore(_ listing: Listing, on channel: SFTPChannel) {
        while !listing.finished && listing.inFlight < Self.readAhead {
            listing.inFlight += 1
            channel.request(
                .readdir,
                { q in
                    q.appendString(listing.handle); return true
                },
                reply: { [self] reply in
                    listing.inFlight -= 1
                    if reply.type == SFTPProtocol.MessageType.name.rawValue {
                        if !listing.finished { take(reply, listing) }
                    } else {
                        if !reply.isEOF && !listing.finished { tree.unreadable.append(reply.error("readdir", path(listing.relative))) }
                        listing.finished = true
                    }
                    if listing.finished {
                        if listing.inFlight == 0 {
                            channel.close(listing.handle)
                            active -= 1
                        }
                    } else {
                        readMore(listing, on: channel)
                    }
                }
            )
        }
    }

    private func take(_ reply: SFTPReply, _ listing: Listing) {
        var r = reply.reader
        guard let count = r.uint32() else { return }
        for _ in 0..<count {
            guard let name = r.string(), r.stringBytes() != nil, let attributes = r.attributes() else { return }
            if name == "." || name == ".." { continue }
            let relative = listing.relative.isEmpty ? name : listing.relative + "/" + name
            tree.entries.append(SFTPTreeEntry(relativePath: relative, attributes: attributes))
            if recursive && attributes.kind == .directory && descend(relative) { waiting.append(relative) }
        }
    }
}
