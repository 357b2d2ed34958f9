using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Sla;

/// <summary>
/// An SLA target written as an ISO-8601 duration and measured in working time of a calendar. The day part counts
/// working days of the clock's calendar (P1D = <see cref="BusinessCalendar.WorkingDayLength"/>: 8h on an 09:00-17:00
/// calendar, 24h on 24x7); the time part counts working hours, minutes and seconds (PT4H = 4 working hours).
/// Years, months and weeks are refused because their length in working time is ambiguous.
/// </summary>
public readonly record struct SlaDuration
{
    private SlaDuration(int workingDays, Duration time, string text)
    {
        WorkingDays = workingDays;
        Time = time;
        Text = text;
    }

    /// <summary>The number of working days (the D part).</summary>
    public int WorkingDays { get; }

    /// <summary>The working time beyond the working days (the T part).</summary>
    public Duration Time { get; }

    /// <summary>The duration as written, e.g. "P5D".</summary>
    public string Text { get; }

    public bool IsZero => WorkingDays == 0 && Time == Duration.Zero;

    /// <summary>The amount of working time this target means on <paramref name="calendar"/>.</summary>
    public Duration On(BusinessCalendar calendar) => calendar.WorkingDayLength * WorkingDays + Time;

    public override string ToString() => Text;

    /// <exception cref="FormatException">The text is not a supported ISO-8601 duration.</exception>
    public static SlaDuration Parse(string text) =>
        TryParse(text, out var duration, out var error) ? duration : throw new FormatException(error);

    public static bool TryParse(string? text, out SlaDuration duration, out string? error)
    {
        duration = default;
        var trimmed = text?.Trim() ?? "";
        // Parsing does not normalise: PT36H stays 36 working hours instead of becoming P1DT12H.
        var result = PeriodPattern.NormalizingIso.Parse(trimmed);
        if (!result.Success)
        {
            error = $"'{text}' is not an ISO-8601 duration such as PT4H, P5D or P1DT4H";
            return false;
        }
        var period = result.Value;
        if (period.Years != 0 || period.Months != 0 || period.Weeks != 0)
        {
            error = $"'{text}' uses years, months or weeks; write working days (P5D) or hours (PT40H) instead";
            return false;
        }
        var time = Period.FromHours(period.Hours) + Period.FromMinutes(period.Minutes) + Period.FromSeconds(period.Seconds)
            + Period.FromMilliseconds(period.Milliseconds) + Period.FromTicks(period.Ticks) + Period.FromNanoseconds(period.Nanoseconds);
        var timeDuration = time.ToDuration();
        if (period.Days < 0 || timeDuration < Duration.Zero)
        {
            error = $"'{text}' is negative";
            return false;
        }
        duration = new SlaDuration(period.Days, timeDuration, trimmed);
        error = null;
        return true;
    }
}
