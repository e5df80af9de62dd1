/// A scheduled task of `/admin/system/tasks` (10.9.1): a `CreateBackup` schedule, the
/// `BackupRetentionCleaner`, or (11.4) a `CreateHealthCheckReports` schedule, fired on the
/// deployment's clock by its CRON fields (UTC).
public struct ScheduledTask: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case createBackup = "CreateBackup"
        /// Not a createTask type in the createTask page, but one the tasks resource lists and the
        /// update-task page's `type` values name: drmock accepts it on createTask (a decision).
        case backupRetentionCleaner = "BackupRetentionCleaner"
        /// 11.4: "this parameter can specify either CreateBackup or CreateHealthCheckReports".
        case createHealthCheckReports = "CreateHealthCheckReports"
    }
    /// What a `CreateHealthCheckReports` task makes: a report named `<name>-YYYY-MM-DD-HH-MM-SS`
    /// ("the prefix of the backup or health check report name, which is appended with the date").
    public struct ReportParameters: Codable, Sendable, Equatable {
        public var name: String
        /// The suites to run (`suiteIds`, as healthCheck/run takes them); nil: every suite.
        public var suiteIDs: [String]?
        public init(name: String, suiteIDs: [String]?) {
            self.name = name
            self.suiteIDs = suiteIDs
        }
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
    /// A `CreateHealthCheckReports` task's parameters (nil for the other kinds, and in catalogs before it).
    public var reportParameters: ReportParameters? = nil
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

/// Five CRON fields (minute, hour, day of month, month, day of week; UTC), read as the Quartz
/// scheduler reads them, which the createTask and update-task pages document ("Special characters and
/// wildcards": all values, no specific value, range, list, increments, the nth day name of the month,
/// last day of the week or month, nearest weekday, last weekday) and the tasks resource's example
/// shows (`"dayOfMonth": "?"`, `"cronExpression": "0 0 4 ? * 7"`):
/// - every field: `*`, `n`, `a-b`, `a,b`, `*/n`, `a/n`, `a-b/n`;
/// - month: also `JAN`-`DEC`; day of week: 1-7 from Sunday (Quartz's numbering), also `SUN`-`SAT`
///   (0 is read as Sunday too, as classic CRON has it: a drmock decision);
/// - day of month and day of week: `?` (no specific value);
/// - day of month: `L` (last day), `L-n` (n days before it), `nW` (the weekday nearest day n), `LW`
///   (the last weekday);
/// - day of week: `L` (Saturday, the last day of the week), `nL` (the last day n of the month),
///   `n#k` (the k-th day n of the month).
/// When both day fields name days, a day matching either fires (classic CRON).
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
        for (name, value, range) in [("minute", minute, 0...59), ("hour", hour, 0...23), ("month", month, 1...12)] {
            guard Self.values(value, range, names: name == "month" ? Self.monthNames : [:]) != nil else {
                throw AdminError.invalidParameter(name, "'\(value.prefix(64))' is not a CRON field for \(range.lowerBound)-\(range.upperBound)\(name == "month" ? " or JAN-DEC" : "") (use *, n, a-b, a,b or */n).")
            }
        }
        guard DayRule(dayOfMonth: dayOfMonth) != nil else {
            throw AdminError.invalidParameter("dayOfMonth", "'\(dayOfMonth.prefix(64))' is not a CRON day of month (use *, ?, 1-31, a-b, a,b, */n, L, L-n, nW or LW).")
        }
        guard DayRule(dayOfWeek: dayOfWeek) != nil else {
            throw AdminError.invalidParameter("dayOfWeek", "'\(dayOfWeek.prefix(64))' is not a CRON day of week (use *, ?, 1-7 or SUN-SAT, a-b, a,b, */n, L, nL or n#k).")
        }
    }

    static let monthNames = ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
    static let dayNames = ["SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7]

    /// The values a field allows (`names` map words such as `JAN` to numbers), or nil if it does not parse.
    static func values(_ field: String, _ range: ClosedRange<Int>, names: [String: Int] = [:]) -> Set<Int>? {
        func number(_ s: Substring) -> Int? { Int(s) ?? names[s.uppercased()] }
        var out = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count == 1 || pieces.count == 2 else { return nil }
            var step = 1
            if pieces.count == 2 { guard let s = Int(pieces[1]), s > 0 else { return nil }; step = s }
            var lo = range.lowerBound, hi = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let a = number(bounds[0]) else { return nil }
                lo = a
                hi = bounds.count == 2 ? (number(bounds[1]) ?? -1) : (pieces.count == 2 ? range.upperBound : a)
                guard range.contains(lo), range.contains(hi), lo <= hi else { return nil }
            }
            for v in stride(from: lo, through: hi, by: step) { out.insert(v) }
        }
        return out.isEmpty ? nil : out
    }

    /// The first minute boundary strictly after `t` (epoch ms) that matches, within ten years.
    public func next(after t: Int64) -> Int64? {
        guard let minutes = Self.values(minute, 0...59), let hours = Self.values(hour, 0...23),
              let months = Self.values(month, 1...12, names: Self.monthNames),
              let dom = DayRule(dayOfMonth: dayOfMonth), let dow = DayRule(dayOfWeek: dayOfWeek) else { return nil }
        let startMinute = t >= 0 ? t / 60_000 + 1 : (t + 1) / 60_000
        var day = startMinute >= 0 ? startMinute / 1440 : (startMinute - 1439) / 1440
        let sortedHours = hours.sorted(), sortedMinutes = minutes.sorted()
        for _ in 0..<(366 * 10) {
            let c = CivilTime(epochDay: day)
            // Classic CRON: when both day fields are restricted, either may match.
            let dayOK = dom.isAny && dow.isAny ? true : dom.isAny ? dow.matches(c) : dow.isAny ? dom.matches(c) : (dom.matches(c) || dow.matches(c))
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

/// One CRON day field (day of month or day of week) as a test on a date.
struct DayRule {
    enum Term {
        /// Days of the month (1-31), or Quartz days of the week (1 = Sunday ... 7 = Saturday).
        case values(Set<Int>)
        /// `L`, `L-n`: the last day of the month, or n days before it.
        case lastDay(offset: Int)
        /// `LW`: the last weekday (Monday to Friday) of the month.
        case lastWeekday
        /// `nW`: the weekday nearest day n, within the month.
        case nearestWeekday(Int)
        /// `nL`: the last day n of the week in the month.
        case lastOfWeekday(Int)
        /// `n#k`: the k-th day n of the week in the month.
        case nthWeekday(Int, Int)
    }
    var terms: [Term]
    /// `*` or `?`: no restriction.
    var isAny: Bool
    let ofWeek: Bool

    init?(dayOfMonth field: String) {
        ofWeek = false
        isAny = field == "*" || field == "?"
        if isAny { terms = []; return }
        var terms: [Term] = []
        for part in field.uppercased().split(separator: ",", omittingEmptySubsequences: false) {
            if part == "L" { terms.append(.lastDay(offset: 0)); continue }
            if part == "LW" { terms.append(.lastWeekday); continue }
            if part.hasPrefix("L-"), let n = Int(part.dropFirst(2)), (0...30).contains(n) { terms.append(.lastDay(offset: n)); continue }
            if part.hasSuffix("W"), let n = Int(part.dropLast()), (1...31).contains(n) { terms.append(.nearestWeekday(n)); continue }
            guard let v = CronSchedule.values(String(part), 1...31) else { return nil }
            terms.append(.values(v))
        }
        self.terms = terms
    }

    init?(dayOfWeek field: String) {
        ofWeek = true
        isAny = field == "*" || field == "?"
        if isAny { terms = []; return }
        func day(_ s: Substring) -> Int? {
            guard let n = Int(s) ?? CronSchedule.dayNames[s.uppercased()], (0...7).contains(n) else { return nil }
            return n == 0 ? 1 : n
        }
        var terms: [Term] = []
        for part in field.uppercased().split(separator: ",", omittingEmptySubsequences: false) {
            if part == "L" { terms.append(.values([7])); continue }
            if part.count > 1, part.hasSuffix("L"), let d = day(part.dropLast()) { terms.append(.lastOfWeekday(d)); continue }
            let hash = part.split(separator: "#", omittingEmptySubsequences: false)
            if hash.count == 2 {
                guard let d = day(hash[0]), let k = Int(hash[1]), (1...5).contains(k) else { return nil }
                terms.append(.nthWeekday(d, k))
                continue
            }
            guard var v = CronSchedule.values(String(part), 0...7, names: CronSchedule.dayNames) else { return nil }
            if v.remove(0) != nil { v.insert(1) }
            terms.append(.values(v))
        }
        self.terms = terms
    }

    func matches(_ c: CivilTime) -> Bool {
        let last = CivilTime.daysIn(month: c.month, year: c.year)
        let dow = c.weekday + 1   // Quartz: 1 = Sunday
        /// The weekday (0 = Sunday) of day `d` of `c`'s month.
        func weekday(_ d: Int) -> Int { (c.weekday - (c.day - d) % 7 + 7) % 7 }
        func isWeekday(_ d: Int) -> Bool { (1...5).contains(weekday(d)) }
        return terms.contains { term in
            switch term {
            case .values(let v): return v.contains(ofWeek ? dow : c.day)
            case .lastDay(let offset): return c.day == last - offset
            case .lastWeekday:
                var d = last
                while !isWeekday(d) { d -= 1 }
                return c.day == d
            case .nearestWeekday(let n):
                let target = min(n, last)
                if isWeekday(target) { return c.day == target }
                let moved = weekday(target) == 6 ? (target == 1 ? 3 : target - 1) : (target == last ? target - 2 : target + 1)
                return c.day == moved
            case .lastOfWeekday(let d): return dow == d && c.day + 7 > last
            case .nthWeekday(let d, let k): return dow == d && (c.day - 1) / 7 + 1 == k
            }
        }
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

    /// How many days `month` of `year` has.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD-HH-MM-SS`, as scheduled backup names end.
    public var nameStamp: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))-\(two(hour))-\(two(minute))-\(two(second))"
    }
}
