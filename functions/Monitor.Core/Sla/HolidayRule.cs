using System.Text.Json;
using NodaTime;

namespace Monitor.Core.Sla;

/// <summary>
/// A holiday that recurs by rule, so a calendar needs no list per year: a fixed date ("month" and "day", e.g. 4 July)
/// or the nth weekday of a month ("month", "weekday", "week": 1 to 4, or -1 for the last, e.g. the fourth Thursday of
/// November). "observed": "us-federal" moves a fixed date that falls on a Saturday to the Friday before and on a Sunday
/// to the Monday after (5 U.S.C. 6103(b)); New Year's Day on a Saturday is thus observed on 31 December. "from" and
/// "until" bound the years in which the rule applies (Juneteenth: from 2021).
/// </summary>
internal sealed record HolidayRule(string Name, int Month, int? Day, IsoDayOfWeek? Weekday, int? Week, bool ObservedUsFederal, int? From, int? Until)
{
    /// <summary>The date the holiday is observed in <paramref name="year"/>, or null when the rule does not apply that year.</summary>
    public LocalDate? ObservedIn(int year)
    {
        if (year < From || year > Until || year is < 1 or > 9998)
        {
            return null;
        }
        if (Weekday is { } weekday)
        {
            var first = new LocalDate(year, Month, 1);
            var firstMatch = first.With(DateAdjusters.NextOrSame(weekday));
            return Week == -1
                ? first.With(DateAdjusters.EndOfMonth).With(DateAdjusters.PreviousOrSame(weekday))
                : firstMatch.PlusWeeks(Week!.Value - 1);
        }
        if (Day > CalendarSystem.Iso.GetDaysInMonth(year, Month))
        {
            return null;
        }
        var date = new LocalDate(year, Month, Day!.Value);
        return !ObservedUsFederal ? date : date.DayOfWeek switch
        {
            IsoDayOfWeek.Saturday => date.PlusDays(-1),
            IsoDayOfWeek.Sunday => date.PlusDays(1),
            _ => date,
        };
    }

    public static HolidayRule Parse(ConfigJson reader, JsonElement element, string path)
    {
        reader.RequireObject(element, path, "name", "month", "day", "weekday", "week", "observed", "from", "until");
        var name = reader.RequiredString(element, path, "name");
        var month = reader.OptionalInt(element, path, "month", 1, 12) ?? throw reader.Error($"{path}.month", "is required");
        var day = reader.OptionalInt(element, path, "day", 1, 31);
        var weekdayText = reader.OptionalString(element, path, "weekday");
        var week = reader.OptionalInt(element, path, "week", -1, 4);
        var observed = reader.OptionalString(element, path, "observed");
        IsoDayOfWeek? weekday = null;
        if (weekdayText is not null)
        {
            weekday = Enum.TryParse<IsoDayOfWeek>(weekdayText, ignoreCase: true, out var parsed) && parsed != IsoDayOfWeek.None
                ? parsed
                : throw reader.Error($"{path}.weekday", $"'{weekdayText}' is not a day name (monday ... sunday)");
        }
        if ((day is null) == (weekday is null))
        {
            throw reader.Error(path, "needs either \"day\" (a fixed date) or \"weekday\" with \"week\" (the nth weekday of the month)");
        }
        if (weekday is not null && week is null or 0)
        {
            throw reader.Error($"{path}.week", "must be 1 to 4, or -1 for the last, with \"weekday\"");
        }
        if (day is { } d && d > CalendarSystem.Iso.GetDaysInMonth(2024, month))
        {
            throw reader.Error($"{path}.day", $"{d} is not a day of month {month}");
        }
        if (observed is not null && (observed != "us-federal" || weekday is not null))
        {
            throw reader.Error($"{path}.observed", "can only be \"us-federal\" (Saturday to Friday, Sunday to Monday), on a fixed date");
        }
        var from = reader.OptionalInt(element, path, "from", 1, 9998);
        var until = reader.OptionalInt(element, path, "until", 1, 9998);
        return new HolidayRule(name, month, day, weekday, week, observed is not null, from, until);
    }
}
