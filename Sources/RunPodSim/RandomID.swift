import AutopodSupport
import Foundation

/// Identifiers shaped like RunPod's: pod ids are 14 lowercase alphanumerics.
enum RandomID {
    static func make(length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }

    static func hex(length: Int) -> String {
        let alphabet = Array("0123456789abcdef")
        return String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
