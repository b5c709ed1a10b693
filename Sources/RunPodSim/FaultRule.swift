import AutopodSupport
import Foundation

/// An API fault armed through `POST /_sim/faults`: the next `remaining` GraphQL requests
/// (those mentioning `operation`, if set) are delayed and/or answered with `status`; with
/// `afterCommit` the operation still takes effect before the error reply.
struct FaultRule: Sendable {
    var status: Int?
    var delayMs: Int
    var remaining: Int
    var afterCommit: Bool
    var operation: String?
    /// The error message to answer with instead of RunPod's generic internal error, e.g.
    /// RunPod's capacity message, to make a create fail although stock said otherwise.
    var message: String? = nil
}
