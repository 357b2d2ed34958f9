using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;

namespace Monitor.Core.Reporting;

/// <summary>
/// A reporting period: a half-year (<c>2026-H1</c>, <c>2026-H2</c>) or a quarter (<c>2026-Q1</c> .. <c>2026-Q4</c>).
/// Boundaries are UTC instants, start inclusive, end exclusive: 2026-H1 = [2026-01-01T00:00Z, 2026-07-01T00:00Z).
/// </summary>
public sealed partial record ReportPeriod(string Name, Instant Start, Instant End)
{
    public const int MinYear = 2000;
    public const int MaxYear = 2100;

    [GeneratedRegex("^(?<year>[0-9]{4})-(?<kind>[HQ])(?<number>[1-4])$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Parses a period name; the error says what is wrong with it.</summary>
    public static bool TryParse(string? text, out ReportPeriod period, out string error)
    {
        period = null!;
        var value = text?.Trim().ToUpperInvariant() ?? "";
        var match = Pattern().Match(value);
        if (!match.Success)
        {
            error = $"'{text}' is not a period: use a half-year such as 2026-H1 or 2026-H2, or a quarter such as 2026-Q3";
            return false;
        }
        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        var number = int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        var halfYear = match.Groups["kind"].Value == "H";
        if (halfYear && number > 2)
        {
            error = $"'{text}' is not a period: a half-year is H1 or H2";
            return false;
        }
        if (year is < MinYear or > MaxYear)
        {
            error = $"'{text}': the year must be between {MinYear} and {MaxYear}";
            return false;
        }
        var months = halfYear ? 6 : 3;
        var firstMonth = (number - 1) * months + 1;
        var start = new LocalDate(year, firstMonth, 1);
        var end = start.PlusMonths(months);
        period = new ReportPeriod(value, start.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), end.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant());
        error = "";
        return true;
    }

    public static ReportPeriod Parse(string text) =>
        TryParse(text, out var period, out var error) ? period : throw new FormatException(error);

    /// <summary>The calendar months of the period (UTC), in order, as "yyyy-MM" with their bounds.</summary>
    public IReadOnlyList<(string Month, Instant Start, Instant End)> Months
    {
        get
        {
            var result = new List<(string, Instant, Instant)>();
            var month = Start.InUtc().Date;
            while (month.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() < End)
            {
                var next = month.PlusMonths(1);
                result.Add((month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                    month.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant(), next.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant()));
                month = next;
            }
            return result;
        }
    }

    public bool Contains(Instant instant) => Start <= instant && instant < End;

    public override string ToString() => Name;
}
