/// Sizes and rates as people read them: binary units for sizes (as `ls -h`), MB/s for rates
/// (as scp and rsync print them, so the figures compare).
public enum ByteText {
    public static func size(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return (value >= 100 ? value.fixed(0) : value.fixed(1)) + " " + units[unit]
    }

    public static func rate(_ bytesPerSecond: Double) -> String {
        guard bytesPerSecond.isFinite, bytesPerSecond > 0 else { return "—" }
        let mb = bytesPerSecond / 1_000_000
        if mb >= 1 { return (mb >= 100 ? mb.fixed(0) : mb.fixed(1)) + " MB/s" }
        return (bytesPerSecond / 1000).fixed(1) + " kB/s"
    }

    /// `1:05`, `1:02:03`; for an ETA.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded(.up))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? "\(h):\(m.zeroPadded(2)):\(s.zeroPadded(2))" : "\(m):\(s.zeroPadded(2))"
    }

    /// `2,000` (thousands separated, as the summary lines print counts).
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
