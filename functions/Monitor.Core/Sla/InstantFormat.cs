using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Sla;

/// <summary>Formats instants for explanations in the clock's own zone, with UTC beside them: "Mon 2026-11-16 17:00 +08 (09:00Z)".</summary>
internal sealed class InstantFormat(BusinessCalendar calendar)
{
    private static readonly LocalDateTimePattern Local = LocalDateTimePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd HH':'mm");
    private static readonly LocalDateTimePattern LocalSeconds = LocalDateTimePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd HH':'mm':'ss");
    private static readonly LocalTimePattern UtcTime = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");
    private static readonly LocalDateTimePattern UtcDateTime = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm");

    public string At(Instant instant)
    {
        var zoned = instant.InZone(calendar.Zone);
        var local = (zoned.Second != 0 || zoned.NanosecondOfSecond != 0 ? LocalSeconds : Local).Format(zoned.LocalDateTime);
        if (zoned.Offset == Offset.Zero)
        {
            return $"{local}Z";
        }
        var utc = instant.InUtc();
        var utcText = utc.Date == zoned.Date ? UtcTime.Format(utc.TimeOfDay) : UtcDateTime.Format(utc.LocalDateTime);
        return $"{local} {OffsetPattern.GeneralInvariant.Format(zoned.Offset)} ({utcText}Z)";
    }

    public string Maybe(Instant? instant) => instant is { } value ? $"at {At(value)}" : "never while paused";

    /// <summary>A duration as hours, minutes and seconds ("8h", "1h30m", "168h"), since working days vary by calendar.</summary>
    public static string Length(Duration duration)
    {
        if (duration < Duration.Zero)
        {
            return "-" + Length(-duration);
        }
        var hours = (long)Math.Floor(duration.TotalHours);
        var rest = duration - Duration.FromHours(hours);
        var text = hours > 0 ? hours.ToString(CultureInfo.InvariantCulture) + "h" : "";
        if (rest.Minutes > 0)
        {
            text += rest.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }
        if (rest.Seconds > 0)
        {
            text += rest.Seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }
        return text.Length == 0 ? (duration == Duration.Zero ? "0h" : "<1s") : text;
    }
}
