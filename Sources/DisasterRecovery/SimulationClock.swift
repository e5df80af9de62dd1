#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The one source of time for a deployment, in epoch milliseconds.
///
/// Stage durations, job timestamps and token expiry all read this clock, so a test that
/// moves a ``ManualClock`` moves everything at once, and `--speed 60` makes a 60 s stage take 1 s.
public protocol SimulationClock: AnyObject, Sendable {
    /// Current emulated time, epoch milliseconds.
    func now() -> Int64
    /// What the catalog keeps so a restart continues on the same time line.
    var state: ClockState { get }
}

/// The persisted description of a clock: its mode, speed and anchors.
public struct ClockState: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable { case system, manual }
    public var mode: Mode
    /// Emulated milliseconds per real millisecond (system mode only).
    public var speed: Double
    /// Real wall-clock time (epoch ms) of the anchor.
    public var anchorReal: Int64
    /// Emulated time (epoch ms) at the anchor; for a manual clock, its current value.
    public var anchorEmulated: Int64

    public init(mode: Mode, speed: Double, anchorReal: Int64, anchorEmulated: Int64) {
        self.mode = mode
        self.speed = speed
        self.anchorReal = anchorReal
        self.anchorEmulated = anchorEmulated
    }
}

/// Wall-clock time in epoch milliseconds (CLOCK_REALTIME).
public func wallClockMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// A clock that only moves when told to. Tests and `--clock manual` use it.
public final class ManualClock: SimulationClock {
    private let value: Mutex<Int64>

    public init(startingAt millis: Int64) { value = Mutex(millis) }

    public func now() -> Int64 { value.withLock { $0 } }

    /// Moves the clock forward by `millis` (negative values are ignored: time never goes back).
    public func advance(by millis: Int64) {
        guard millis > 0 else { return }
        value.withLock { $0 += millis }
    }

    /// Sets the clock to `millis` if that is not in the past; returns the resulting time.
    @discardableResult
    public func set(to millis: Int64) -> Int64 {
        value.withLock { v in
            v = max(v, millis)
            return v
        }
    }

    public var state: ClockState {
        ClockState(mode: .manual, speed: 0, anchorReal: wallClockMillis(), anchorEmulated: now())
    }
}

/// The system clock scaled by a speed factor: emulated = anchorEmulated + (real - anchorReal) × speed.
///
/// Keeping the anchors in the catalog means a restart continues the same time line, so a job that
/// was half way through a stage keeps going ("resume on the clock").
public final class ScaledSystemClock: SimulationClock {
    public let speed: Double
    private let anchorReal: Int64
    private let anchorEmulated: Int64

    /// A new time line that starts at the real time now.
    public convenience init(speed: Double) {
        let real = wallClockMillis()
        self.init(speed: speed, anchorReal: real, anchorEmulated: real)
    }

    public init(speed: Double, anchorReal: Int64, anchorEmulated: Int64) {
        self.speed = speed
        self.anchorReal = anchorReal
        self.anchorEmulated = anchorEmulated
    }

    public func now() -> Int64 {
        let elapsed = wallClockMillis() - anchorReal
        return anchorEmulated + Int64((Double(max(0, elapsed)) * speed).rounded(.down))
    }

    public var state: ClockState {
        ClockState(mode: .system, speed: speed, anchorReal: anchorReal, anchorEmulated: anchorEmulated)
    }
}

extension ClockState {
    /// Rebuilds the clock this state describes, continuing its time line. When `speed` differs from the
    /// stored one, the time line is re-anchored at the current emulated time so time never jumps back.
    public func makeClock(mode requested: Mode, speed requestedSpeed: Double) -> any SimulationClock {
        let continued: Int64
        switch mode {
        case .manual: continued = anchorEmulated
        case .system: continued = ScaledSystemClock(speed: speed, anchorReal: anchorReal, anchorEmulated: anchorEmulated).now()
        }
        switch requested {
        case .manual:
            return ManualClock(startingAt: continued)
        case .system:
            if mode == .system && speed == requestedSpeed {
                return ScaledSystemClock(speed: speed, anchorReal: anchorReal, anchorEmulated: anchorEmulated)
            }
            return ScaledSystemClock(speed: requestedSpeed, anchorReal: wallClockMillis(), anchorEmulated: continued)
        }
    }
}
