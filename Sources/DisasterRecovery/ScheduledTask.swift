/// A scheduled task of `/admin/system/tasks` (10.9.1): a `CreateBackup` schedule or the
/// `BackupRetentionCleaner`, fired on the deployment's clock by its CRON fields (UTC).
public struct ScheduledTask: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case createBackup = "CreateBackup"
        case backupRetentionCleaner = "BackupRetentionCleaner"
    }
    /// What a `CreateBackup` task makes: `<name>-YYYY-MM-DD-HH-MM-SS` in `storeName`.
    public struct BackupParameters: Codable, Sendable, Equatable {
        /// The backup name prefix.
        public var name: String
        public var passcodeHash: String
        /// Nil: the default store at the time the task fires.
        public var storeName: String?
        public var description: String
        /// Added to the firing time to make the backup's `retentionDate`; nil: never expires.
        public var retentionOffsetMs: Int64?
        /// The client's `metaData` object as JSON text, echoed back.
        public var metaDataJSON: String?
        public init(name: String, passcodeHash: String, storeName: String?, description: String,
                    retentionOffsetMs: Int64?, metaDataJSON: String?) {
            self.name = name
            self.passcodeHash = passcodeHash
            self.storeName = storeName
            self.description = description
            self.retentionOffsetMs = retentionOffsetMs
            self.metaDataJSON = metaDataJSON
        }
    }
    /// One firing: when, and what came of it.
    public struct Run: Codable, Sendable, Equatable {
        public var time: Int64
        /// `SUBMITTED`, `SKIPPED` or `COMPLETED`.
        public var status: String
        public var message: String
        public var jobID: String?
    }

    public var id: String
    public var title: String
    public var kind: Kind
    public var parameters: BackupParameters?
    public var schedule: CronSchedule
    /// Epoch ms; the task does not fire before / after.
    public var startDate: Int64?
    public var endDate: Int64?
    public var maxOccurrences: Int?
    public var enabled: Bool
    public var occurrences: Int
    public var created: Int64
    public var updated: Int64
    public var owner: String
    /// The last runs, newest last (at most ``ScheduledTask/keptRuns``).
    public var runs: [Run]

    public static let keptRuns = 50

    /// The next firing strictly after `t`, honouring start and end dates and the occurrence limit.
    public func nextFire(after t: Int64) -> Int64? {
        guard enabled else { return nil }
        if let m = maxOccurrences, m > 0, occurrences >= m { return nil }
        let from = startDate.map { max(t, $0 - 1) } ?? t
        guard let next = schedule.next(after: from) else { return nil }
        if let end = endDate, next > end { return nil }
        return next
    }
}

/// Five CRON fields (minute, hour, day of month, month, day of week; UTC), each `*`, a number, a
/// range `a-b`, a list `a,b`, or a step `*/n` / `a-b/n`. Day of week 0–6 from Sunday (7 is Sunday too).
public struct CronSchedule: Codable, Sendable, Equatable {
    public var minute: String
    public var hour: String
    public var dayOfMonth: String
    public var month: String
    public var dayOfWeek: String

    public init(minute: String, hour: String, dayOfMonth: String, month: String, dayOfWeek: String) throws {
        self.minute = minute
        self.hour = hour
        self.dayOfMonth = dayOfMonth
        self.month = month
        self.dayOfWeek = dayOfWeek
        for (name, value, range) in [("minute", minute, 0...59), ("hour", hour, 0...23), ("dayOfMonth", dayOfMonth, 1...31),
                                     ("month", month, 1...12), ("dayOfWeek", dayOfWeek, 0...7)] {
            guard Self.values(value, range) != nil else {
                throw AdminError.invalidParameter(name, "'\(value.prefix(64))' is not a CRON field for \(range.lowerBound)-\(range.upperBound) (use *, n, a-b, a,b or */n).")
            }
        }
    }

    /// The values a field allows, or nil if it does not parse.
    static func values(_ field: String, _ range: ClosedRange<Int>) -> Set<Int>? {
        var out = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count == 1 || pieces.count == 2 else { return nil }
            var step = 1
            if pieces.count == 2 { guard let s = Int(pieces[1]), s > 0 else { return nil }; step = s }
            var lo = range.lowerBound, hi = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let a = Int(bounds[0]) else { return nil }
                lo = a
                hi = bounds.count == 2 ? (Int(bounds[1]) ?? -1) : (pieces.count == 2 ? range.upperBound : a)
                guard range.contains(lo), range.contains(hi), lo <= hi else { return nil }
            }
            for v in stride(from: lo, through: hi, by: step) { out.insert(v) }
        }
        return out.isEmpty ? nil : out
    }

    /// The first minute boundary strictly after `t` (epoch ms) that matches, within ten years.
    public func next(after t: Int64) -> Int64? {
        guard let minutes = Self.values(minute, 0...59), let hours = Self.values(hour, 0...23),
              let days = Self.values(dayOfMonth, 1...31), let months = Self.values(month, 1...12),
              var weekdays = Self.values(dayOfWeek, 0...7) else { return nil }
        if weekdays.contains(7) { weekdays.insert(0) }
        // Classic CRON: when both day fields are restricted, either may match.
        let domAny = dayOfMonth == "*", dowAny = dayOfWeek == "*"
        let startMinute = t >= 0 ? t / 60_000 + 1 : (t + 1) / 60_000
        var day = startMinute >= 0 ? startMinute / 1440 : (startMinute - 1439) / 1440
        let sortedHours = hours.sorted(), sortedMinutes = minutes.sorted()
        for _ in 0..<(366 * 10) {
            let c = CivilTime(epochDay: day)
            let domOK = days.contains(c.day), dowOK = weekdays.contains(c.weekday)
            let dayOK = domAny && dowAny ? true : domAny ? dowOK : dowAny ? domOK : (domOK || dowOK)
            if months.contains(c.month) && dayOK {
                for h in sortedHours {
                    for m in sortedMinutes {
                        let candidate = day * 1440 + Int64(h * 60 + m)
                        if candidate >= startMinute { return candidate * 60_000 }
                    }
                }
            }
            day += 1
        }
        return nil
    }
}

/// A UTC calendar date and time from epoch milliseconds (proleptic Gregorian).
public struct CivilTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    /// 0 = Sunday.
    public var weekday: Int

    public init(epochMillis ms: Int64) {
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        self.init(epochDay: days)
        let rem = Int(secs - days * 86_400)
        hour = rem / 3600
        minute = (rem / 60) % 60
        second = rem % 60
    }

    /// Howard Hinnant's civil_from_days.
    init(epochDay z0: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = Int(yoe + era * 400 + (m <= 2 ? 1 : 0))
        month = Int(m)
        day = Int(d)
        hour = 0; minute = 0; second = 0
        weekday = Int(((z0 % 7) + 11) % 7)   // 1970-01-01 was a Thursday (4)
    }

    /// `YYYY-MM-DD-HH-MM-SS`, as scheduled backup names end.
    public var nameStamp: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))-\(two(hour))-\(two(minute))-\(two(second))"
    }
}
