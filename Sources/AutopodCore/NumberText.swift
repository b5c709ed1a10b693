import AutopodSupport
// Number formatting without String(format:), which is in full Foundation (see StandardStream).

extension Double {
    /// The value with exactly `places` decimals, as `%.Nf` writes it (ties to even).
    public func fixed(_ places: Int) -> String {
        guard isFinite, abs(self) < 1e15 else { return "\(self)" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(self) * scale).rounded(.toNearestOrEven)
        let units = Int64(scaled)
        let negative = self < 0 && units != 0
        let whole = units / Int64(scale)
        var text = (negative ? "-" : "") + String(whole)
        if places > 0 {
            let fraction = String(units % Int64(scale))
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return text
    }
}

extension BinaryInteger {
    /// Decimal digits left-padded with zeros to `width`, as `%0Nd` writes them.
    public func zeroPadded(_ width: Int) -> String {
        let digits = String(self.magnitude)
        let sign = self < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count - sign.count)) + digits
    }
}
