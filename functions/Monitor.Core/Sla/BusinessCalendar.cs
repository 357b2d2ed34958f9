using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;

namespace Monitor.Core.Sla;

/// <summary>
/// A party's business calendar: an IANA time zone, local working hours per weekday, public holidays and make-up
/// working days. All zone arithmetic goes through NodaTime.
/// </summary>
/// <remarks>
/// <para><b>Working time.</b> Working time is counted inside the local working hours of working days: weekdays that
/// have hours, minus holidays, plus make-up working days. A make-up working day is a day (normally a weekend day) that
/// is declared a working day; it uses the hours of the calendar's standard working day (see
/// <see cref="WorkingDayLength"/>) unless its entry gives its own <c>hours</c>.</para>
/// <para><b>Holidays.</b> Listed holidays and make-up working days (<c>holidays</c>, <c>makeUpWorkingDays</c>) hold
/// for their dates only; <c>holidayRules</c> (see <see cref="HolidayRule"/>) recur every year. A calendar built from
/// published lists (CN's State Council notices) knows nothing past its last listed year, <see cref="ListedThrough"/>:
/// a clock that reaches past it gets <see cref="HorizonWarning"/>, so the gap is shown and never silent.</para>
/// <para><b>Deadlines.</b> The deadline for a duration D from a start S is the instant at which D of working time has
/// elapsed. A start outside working time counts from the next working interval. If D is zero the deadline is S moved
/// to the next working instant. Durations in business days are multiples of <see cref="WorkingDayLength"/>: P1D is
/// one working day (8h on an 09:00-17:00 calendar) and PT4H is 4 working hours (see <see cref="SlaDuration"/>).</para>
/// <para><b>Daylight saving.</b> Each local working interval is mapped to an interval of instants with the zone rules,
/// so a working hour is a real hour of elapsed time: a working interval 01:00-03:00 on a spring-forward night is one
/// real hour, and 00:00-04:00 on a fall-back night is five. The mapping of an interval boundary is the first instant
/// at which the wall clock reads that local time or later: an ambiguous local time (fall-back overlap) maps to its
/// earlier instant and a skipped local time (spring-forward gap) maps to the instant the gap ends. This differs from
/// NodaTime's lenient resolver only for a boundary inside a gap, where lenient shifts forward by the gap length
/// (02:30 would map after 03:00, so an interval 02:30-03:00 would end before it starts). Our mapping is monotone,
/// so intervals never overlap or invert.</para>
/// </remarks>
public sealed class BusinessCalendar
{
    /// <summary>The name of the built-in calendar in which every instant is working time.</summary>
    public const string ContinuousName = "24x7";

    private static readonly ZoneLocalMappingResolver BoundaryResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private static readonly Duration OneDay = Duration.FromDays(1);
    private static readonly Duration OneWeek = Duration.FromDays(7);

    // A walk that finds no working time for this many consecutive days gives up instead of looping forever.
    private const int MaxIdleDays = 3660;

    private readonly bool _continuous;
    private readonly WorkingSpan[][] _week;
    private readonly WorkingSpan[] _standardDay;
    private readonly FrozenDictionary<LocalDate, string> _holidays;
    private readonly FrozenDictionary<LocalDate, MakeUpDay> _makeUpDays;
    private readonly LocalDate[] _specialDates;
    private readonly HolidayRule[] _rules;
    private readonly ConcurrentDictionary<int, FrozenDictionary<LocalDate, string>> _ruleDates = new();
    private readonly Duration _weekLength;

    private BusinessCalendar(
        string name,
        DateTimeZone zone,
        WorkingSpan[][] week,
        IReadOnlyDictionary<LocalDate, string> holidays,
        IReadOnlyDictionary<LocalDate, MakeUpDay> makeUpDays,
        string? note,
        bool continuous,
        HolidayRule[]? rules = null,
        int? listedThrough = null)
    {
        Name = name;
        _rules = rules ?? [];
        ListedThrough = listedThrough;
        Zone = zone;
        Note = note;
        _continuous = continuous;
        _week = week;
        _standardDay = StandardDay(week);
        _holidays = holidays.ToFrozenDictionary();
        _makeUpDays = makeUpDays.ToFrozenDictionary();
        MakeUpWorkingDays = makeUpDays.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Name);
        _specialDates = [.. holidays.Keys.Concat(makeUpDays.Keys).Distinct().Order()];
        _weekLength = week.SelectMany(day => day).Aggregate(Duration.Zero, (sum, span) => sum + span.Length);
        WorkingDayLength = continuous ? OneDay : _standardDay.Aggregate(Duration.Zero, (sum, span) => sum + span.Length);
    }

    /// <summary>The calendar in which every instant is working time; its working day is 24 hours.</summary>
    public static BusinessCalendar Continuous { get; } = new(
        ContinuousName,
        DateTimeZone.Utc,
        [.. Enumerable.Range(0, 7).Select(_ => new[] { new WorkingSpan(0, NanosPerDay) })],
        new Dictionary<LocalDate, string>(),
        new Dictionary<LocalDate, MakeUpDay>(),
        "Every instant is working time.",
        continuous: true);

    /// <summary>The calendar's name: the party code ("US", "CN") or <see cref="ContinuousName"/>.</summary>
    public string Name { get; }

    public DateTimeZone Zone { get; }

    /// <summary>
    /// The length of a normal working day, the unit of "business day" durations (P1D). It is the total of the hours of
    /// the standard working day: the first of Monday to Friday that has hours (or, failing that, the first day of the
    /// week that has hours). 24 hours for <see cref="Continuous"/>.
    /// </summary>
    public Duration WorkingDayLength { get; }

    /// <summary>Free text from the calendar file, e.g. a warning that holiday data must be kept current.</summary>
    public string? Note { get; }

    /// <summary>The listed holidays (not those of <c>holidayRules</c>: see <see cref="HolidayOn"/>).</summary>
    public IReadOnlyDictionary<LocalDate, string> Holidays => _holidays;

    /// <summary>
    /// The last year whose holidays and make-up working days the calendar lists (its <c>listedThrough</c>, or else the
    /// year of its last listed date when it has lists and no rules); null when it does not depend on yearly lists.
    /// </summary>
    public int? ListedThrough { get; }

    /// <summary>The holiday on <paramref name="date"/>, listed or by rule; null on other days.</summary>
    public string? HolidayOn(LocalDate date) =>
        _holidays.GetValueOrDefault(date) ?? RuleDates(date.Year).GetValueOrDefault(date) ?? RuleDates(date.Year + 1).GetValueOrDefault(date);

    /// <summary>
    /// Null unless <paramref name="reach"/>, the last instant a clock's thresholds depend on, lies after
    /// <see cref="ListedThrough"/>: then the sentence that says the clock counts unlisted days as plain weekdays.
    /// </summary>
    public string? HorizonWarning(Instant reach)
    {
        if (ListedThrough is not { } last || reach.InZone(Zone).Year <= last)
        {
            return null;
        }
        var date = LocalDatePattern.Iso.Format(reach.InZone(Zone).Date);
        return $"calendar {Name} lists its holidays and make-up working days only through {last}, and this clock reaches {date}: "
            + $"after {last} it counts every unlisted weekday as a working day, so its instants may be wrong. Add the {last + 1} holidays to config/calendars/{Name}.json.";
    }

    /// <summary>Make-up working days and their names.</summary>
    public IReadOnlyDictionary<LocalDate, string> MakeUpWorkingDays { get; }

    public bool IsContinuous => _continuous;

    /// <summary>Whether <paramref name="date"/> has any working hours (weekday hours, not a holiday, or a make-up day).</summary>
    public bool IsWorkingDay(LocalDate date) => SpansOf(date).Length > 0;

    /// <summary>The working intervals of a local date as instants, in order; empty on a non-working day.</summary>
    public IReadOnlyList<Interval> WorkingIntervals(LocalDate date)
    {
        var result = new List<Interval>();
        foreach (var span in SpansOf(date))
        {
            var (start, end) = Map(date, span);
            if (end > start)
            {
                result.Add(new Interval(start, end));
            }
        }
        return result;
    }

    /// <summary>Whether <paramref name="instant"/> lies inside a working interval (intervals are half-open [start, end)).</summary>
    public bool IsWorkingTime(Instant instant) =>
        _continuous || WorkingIntervals(instant.InZone(Zone).Date).Any(interval => interval.Contains(instant));

    /// <summary>
    /// The deadline for <paramref name="workingTime"/> from <paramref name="start"/>: the first instant at which that much
    /// working time has elapsed, counting from the next working interval when <paramref name="start"/> is outside
    /// working time. For a zero duration it is <paramref name="start"/> moved to the next working instant.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The duration is negative.</exception>
    /// <exception cref="InvalidOperationException">The calendar has no working time for ten years, or the deadline is past year 9999.</exception>
    public Instant AddWorkingTime(Instant start, Duration workingTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workingTime, Duration.Zero);
        if (_continuous)
        {
            return CheckedAdd(start, workingTime);
        }
        return Walk(start, workingTime, Instant.MaxValue).At;
    }

    /// <summary>The working time inside the half-open range [<paramref name="from"/>, <paramref name="to"/>); zero when to &lt;= from.</summary>
    public Duration WorkingTimeBetween(Instant from, Instant to)
    {
        if (to <= from)
        {
            return Duration.Zero;
        }
        return _continuous ? to - from : Walk(from, budget: null, limit: to).Consumed;
    }

    /// <summary>The next instant at or after <paramref name="instant"/> that is working time.</summary>
    public Instant NextWorkingInstant(Instant instant) => AddWorkingTime(instant, Duration.Zero);

    public override string ToString() => _continuous ? Name : $"{Name} ({Zone.Id})";

    /// <summary>Parses a calendar document; see the class remarks for its meaning.</summary>
    /// <exception cref="SlaConfigurationException">The document is not valid JSON or breaks a rule; the message says where.</exception>
    public static BusinessCalendar Parse(string json) => ConfigJson.Read(json, "calendar", FromDocument);

    /// <summary>Reads a calendar document from a stream (UTF-8 JSON).</summary>
    /// <exception cref="SlaConfigurationException">The document is not valid JSON or breaks a rule; the message says where.</exception>
    public static BusinessCalendar Load(Stream stream) => ConfigJson.Read(stream, "calendar", FromDocument);

    private static BusinessCalendar FromDocument(JsonElement root)
    {
        var reader = new ConfigJson("calendar");
        reader.RequireObject(root, "$", "party", "timeZone", "workingHours", "holidays", "makeUpWorkingDays", "holidayRules", "listedThrough", "note", "$schema");
        var party = reader.RequiredString(root, "$", "party");
        reader = new ConfigJson($"calendar {party}");
        if (party.Equals(ContinuousName, StringComparison.OrdinalIgnoreCase))
        {
            throw reader.Error("$.party", $"'{ContinuousName}' is the built-in continuous calendar and cannot be redefined");
        }

        var zoneId = reader.RequiredString(root, "$", "timeZone");
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)
            ?? throw reader.Error("$.timeZone", $"'{zoneId}' is not an IANA time zone id (e.g. 'America/New_York', 'Asia/Shanghai')");

        var week = new WorkingSpan[7][];
        for (var i = 0; i < 7; i++)
        {
            week[i] = [];
        }
        var hours = reader.RequiredProperty(root, "$", "workingHours");
        reader.RequireObject(hours, "$.workingHours");
        foreach (var day in hours.EnumerateObject())
        {
            var path = $"$.workingHours.{day.Name}";
            var dayOfWeek = ParseDayOfWeek(day.Name) ?? throw reader.Error(path, "is not a day name (monday ... sunday)");
            if (week[(int)dayOfWeek - 1].Length > 0)
            {
                throw reader.Error(path, "is given twice");
            }
            week[(int)dayOfWeek - 1] = ParseSpans(reader, day.Value, path);
        }
        if (week.All(day => day.Length == 0))
        {
            throw reader.Error("$.workingHours", "has no working hours on any day of the week, so no deadline could ever be reached");
        }

        var holidays = ParseDates(reader, root, "holidays", (element, path) => reader.OptionalString(element, path, "name") ?? "holiday");
        var makeUpDays = ParseDates(reader, root, "makeUpWorkingDays", (element, path) => new MakeUpDay(
            reader.OptionalString(element, path, "name") ?? "make-up working day",
            element.TryGetProperty("hours", out var own) ? ParseSpans(reader, own, $"{path}.hours") : null));
        foreach (var date in makeUpDays.Keys.Where(holidays.ContainsKey))
        {
            throw reader.Error("$.makeUpWorkingDays", $"{LocalDatePattern.Iso.Format(date)} is also listed as a holiday");
        }
        var rules = new List<HolidayRule>();
        if (root.TryGetProperty("holidayRules", out var ruleArray) && ruleArray.ValueKind != JsonValueKind.Null)
        {
            if (ruleArray.ValueKind != JsonValueKind.Array)
            {
                throw reader.Error("$.holidayRules", "must be an array of rules ({\"name\", \"month\", \"day\"} or {\"name\", \"month\", \"weekday\", \"week\"})");
            }
            var index = 0;
            foreach (var element in ruleArray.EnumerateArray())
            {
                rules.Add(HolidayRule.Parse(reader, element, $"$.holidayRules[{index++}]"));
            }
        }
        var listedThrough = reader.OptionalInt(root, "$", "listedThrough", 1, 9998);
        if (listedThrough is null && rules.Count == 0 && holidays.Count + makeUpDays.Count > 0)
        {
            listedThrough = holidays.Keys.Concat(makeUpDays.Keys).Max().Year;
        }
        var note = root.TryGetProperty("note", out var noteElement) && noteElement.ValueKind == JsonValueKind.String ? noteElement.GetString() : null;
        return new BusinessCalendar(party, zone, week, holidays, makeUpDays, note, continuous: false, [.. rules], listedThrough);
    }

    private static Dictionary<LocalDate, T> ParseDates<T>(ConfigJson reader, JsonElement root, string property, Func<JsonElement, string, T> value)
    {
        var result = new Dictionary<LocalDate, T>();
        if (!root.TryGetProperty(property, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return result;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw reader.Error($"$.{property}", "must be an array of {\"date\": \"yyyy-MM-dd\", \"name\": ...}");
        }
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var path = $"$.{property}[{index++}]";
            reader.RequireObject(element, path, "date", "name", "hours");
            var text = reader.RequiredString(element, path, "date");
            var parsed = LocalDatePattern.Iso.Parse(text);
            if (!parsed.Success)
            {
                throw reader.Error($"{path}.date", $"'{text}' is not a date yyyy-MM-dd");
            }
            if (!result.TryAdd(parsed.Value, value(element, path)))
            {
                throw reader.Error($"{path}.date", $"{text} is listed twice");
            }
        }
        return result;
    }

    private static WorkingSpan[] ParseSpans(ConfigJson reader, JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw reader.Error(path, "must be an array of {\"start\": \"HH:mm\", \"end\": \"HH:mm\"}");
        }
        var spans = new List<WorkingSpan>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var itemPath = $"{path}[{index++}]";
            reader.RequireObject(element, itemPath, "start", "end");
            var startText = reader.RequiredString(element, itemPath, "start");
            var endText = reader.RequiredString(element, itemPath, "end");
            var start = ParseTimeOfDay(startText, allowEndOfDay: false)
                ?? throw reader.Error($"{itemPath}.start", $"'{startText}' is not a time HH:mm or HH:mm:ss");
            var end = ParseTimeOfDay(endText, allowEndOfDay: true)
                ?? throw reader.Error($"{itemPath}.end", $"'{endText}' is not a time HH:mm or HH:mm:ss (24:00 allowed)");
            if (end <= start)
            {
                throw reader.Error(itemPath, $"end {endText} must be after start {startText}");
            }
            spans.Add(new WorkingSpan(start, end));
        }
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (var i = 1; i < spans.Count; i++)
        {
            if (spans[i].Start < spans[i - 1].End)
            {
                throw reader.Error(path, "has overlapping working intervals");
            }
        }
        return [.. spans];
    }

    private static long? ParseTimeOfDay(string text, bool allowEndOfDay)
    {
        if (allowEndOfDay && (text == "24:00" || text == "24:00:00"))
        {
            return NanosPerDay;
        }
        foreach (var pattern in TimePatterns)
        {
            var result = pattern.Parse(text);
            if (result.Success)
            {
                return result.Value.NanosecondOfDay;
            }
        }
        return null;
    }

    private static readonly LocalTimePattern[] TimePatterns =
        [LocalTimePattern.CreateWithInvariantCulture("HH:mm"), LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss")];

    private static IsoDayOfWeek? ParseDayOfWeek(string name) => name.ToLowerInvariant() switch
    {
        "monday" => IsoDayOfWeek.Monday,
        "tuesday" => IsoDayOfWeek.Tuesday,
        "wednesday" => IsoDayOfWeek.Wednesday,
        "thursday" => IsoDayOfWeek.Thursday,
        "friday" => IsoDayOfWeek.Friday,
        "saturday" => IsoDayOfWeek.Saturday,
        "sunday" => IsoDayOfWeek.Sunday,
        _ => null,
    };

    private static WorkingSpan[] StandardDay(WorkingSpan[][] week) =>
        week.Take(5).FirstOrDefault(day => day.Length > 0) ?? week.FirstOrDefault(day => day.Length > 0) ?? [];

    private const long NanosPerDay = 86_400L * 1_000_000_000L;

    private WorkingSpan[] SpansOf(LocalDate date)
    {
        if (_holidays.ContainsKey(date))
        {
            return [];
        }
        if (_makeUpDays.TryGetValue(date, out var makeUp))
        {
            return makeUp.Hours ?? _standardDay;
        }
        if (_rules.Length > 0 && (RuleDates(date.Year).ContainsKey(date) || RuleDates(date.Year + 1).ContainsKey(date)))
        {
            return [];
        }
        return _week[(int)date.DayOfWeek - 1];
    }

    private (Instant Start, Instant End) Map(LocalDate date, WorkingSpan span) =>
        (MapLocal(date, span.Start), MapLocal(date, span.End));

    private Instant MapLocal(LocalDate date, long nanosOfDay) =>
        Zone.ResolveLocal(date.AtMidnight().PlusNanoseconds(nanosOfDay), BoundaryResolver).ToInstant();

    /// <summary>
    /// Walks working time forward from <paramref name="start"/>. Returns the first instant at which
    /// <paramref name="budget"/> of working time has elapsed if that is at or before <paramref name="limit"/>; otherwise
    /// <paramref name="limit"/> and the working time in [start, limit). A null budget walks to the limit.
    /// </summary>
    private (Instant At, Duration Consumed) Walk(Instant start, Duration? budget, Instant limit)
    {
        var remaining = budget;
        var consumed = Duration.Zero;
        var cursor = start;
        // Start a day early: a boundary mapped across midnight by a zone rule may put part of the previous local
        // day's hours after the start instant.
        var date = start.InZone(Zone).Date.PlusDays(-1);
        var idleDays = 0;
        while (true)
        {
            if (TrySkipWeeks(ref date, ref cursor, remaining, limit, out var skipped))
            {
                consumed += skipped;
                remaining -= skipped;
                idleDays = 0;
                continue;
            }

            foreach (var span in SpansOf(date))
            {
                var (a, b) = Map(date, span);
                if (b <= a || b <= cursor)
                {
                    continue;
                }
                var from = Instant.Max(a, cursor);
                if (from >= limit)
                {
                    return (limit, consumed);
                }
                var available = b - from;
                if (remaining is { } left && left <= available)
                {
                    var at = from + left;
                    return at <= limit ? (at, consumed + left) : (limit, consumed + (limit - from));
                }
                if (b >= limit)
                {
                    return (limit, consumed + (limit - from));
                }
                consumed += available;
                remaining -= available;
                cursor = b;
                idleDays = -1;
            }

            date = date.PlusDays(1);
            if (MapLocal(date, 0) >= limit)
            {
                return (limit, consumed);
            }
            if (++idleDays > MaxIdleDays)
            {
                throw new InvalidOperationException($"Calendar {Name} has no working time in the {MaxIdleDays} days before {LocalDatePattern.Iso.Format(date)}.");
            }
            if (date.Year >= 9999)
            {
                throw new InvalidOperationException($"Calendar {Name}: the deadline lies beyond the year 9999.");
            }
        }
    }

    /// <summary>
    /// Skips whole weeks that are "plain": no holiday or make-up day, one UTC offset throughout, wholly after the cursor
    /// and before the limit, and not containing the deadline. Such a week holds exactly the nominal weekly hours, so a
    /// run of them is skipped in one step; this keeps 30 business days or 10 years cheap.
    /// </summary>
    private bool TrySkipWeeks(ref LocalDate date, ref Instant cursor, Duration? remaining, Instant limit, out Duration skipped)
    {
        skipped = Duration.Zero;
        if (remaining is { } left && left <= _weekLength)
        {
            return false;
        }
        var dayStart = MapLocal(date, 0);
        if (dayStart < cursor)
        {
            return false;
        }
        var zoneInterval = Zone.GetZoneInterval(dayStart);
        if (zoneInterval.HasStart && zoneInterval.Start > dayStart - OneDay)
        {
            return false;
        }

        var weekTicks = OneWeek.BclCompatibleTicks;
        // Strictly fewer weeks than the budget needs, so the deadline stays ahead of the skip.
        var weeks = remaining is { } budget ? (budget.BclCompatibleTicks - 1) / _weekLength.BclCompatibleTicks : long.MaxValue;
        if (zoneInterval.HasEnd)
        {
            weeks = Math.Min(weeks, ((zoneInterval.End - dayStart) - OneDay).BclCompatibleTicks / weekTicks);
        }
        if (limit != Instant.MaxValue)
        {
            weeks = Math.Min(weeks, (limit - dayStart).BclCompatibleTicks / weekTicks);
        }
        var next = NextSpecialDate(date);
        if (next is { } special)
        {
            weeks = Math.Min(weeks, Period.DaysBetween(date, special) / 7);
        }
        weeks = Math.Min(weeks, Period.DaysBetween(date, new LocalDate(9998, 1, 1)) / 7);
        if (weeks <= 0)
        {
            return false;
        }

        var days = (int)(weeks * 7);
        date = date.PlusDays(days);
        cursor = dayStart + Duration.FromDays(days);
        skipped = _weekLength * weeks;
        return true;
    }

    private LocalDate? NextSpecialDate(LocalDate date)
    {
        var index = Array.BinarySearch(_specialDates, date);
        if (index < 0)
        {
            index = ~index;
        }
        LocalDate? next = index < _specialDates.Length ? _specialDates[index] : null;
        // A rule's date of this year or the next (observed dates may move across New Year).
        foreach (var ruleDate in RuleDates(date.Year).Keys.Concat(RuleDates(date.Year + 1).Keys).Concat(RuleDates(date.Year + 2).Keys))
        {
            if (ruleDate >= date && (next is null || ruleDate < next))
            {
                next = ruleDate;
            }
        }
        return next;
    }

    /// <summary>The observed dates of the holiday rules for <paramref name="year"/> (one may fall in the year before).</summary>
    private FrozenDictionary<LocalDate, string> RuleDates(int year) =>
        _rules.Length == 0 ? FrozenDictionary<LocalDate, string>.Empty : _ruleDates.GetOrAdd(year, y =>
        {
            var dates = new Dictionary<LocalDate, string>();
            foreach (var rule in _rules)
            {
                if (rule.ObservedIn(y) is { } date)
                {
                    dates[date] = dates.TryGetValue(date, out var other) ? $"{other}; {rule.Name}" : rule.Name;
                }
            }
            return dates.ToFrozenDictionary();
        });

    private static Instant CheckedAdd(Instant start, Duration duration)
    {
        if (Instant.MaxValue - start < duration)
        {
            throw new InvalidOperationException("The deadline lies beyond the year 9999.");
        }
        return start + duration;
    }

    /// <summary>A local working interval, in nanoseconds since local midnight; End may be 24:00.</summary>
    private readonly record struct WorkingSpan(long Start, long End)
    {
        public Duration Length => Duration.FromNanoseconds(End - Start);
    }

    /// <param name="Hours">The day's own hours, or null for the standard working day's hours.</param>
    private sealed record MakeUpDay(string Name, WorkingSpan[]? Hours);
}
