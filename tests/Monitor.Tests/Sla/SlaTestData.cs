using Monitor.Core.Feeds;
using Monitor.Core.Sla;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Tests.Sla;

/// <summary>Calendars, instants and requests shared by the SLA tests.</summary>
internal static class SlaTestData
{
    private static readonly OffsetDateTimePattern Pattern = OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<G>");

    /// <summary>Parses "2026-11-16T09:00+08:00", "2026-11-16T09:00Z" or "2026-11-16T09:00:30Z".</summary>
    public static Instant At(string text)
    {
        var normalised = text.Length > 16 && text[16] == ':' ? text : text.Insert(16, ":00");
        return Pattern.Parse(normalised).GetValueOrThrow().ToInstant();
    }

    public static BusinessCalendar Cn { get; } = SlaDefaults.Calendar("CN")!;

    public static BusinessCalendar Us { get; } = SlaDefaults.Calendar("US")!;

    /// <summary>An unusual New York calendar, 00:00-04:00 every day, so working intervals contain the DST transitions.</summary>
    public static BusinessCalendar Night { get; } = BusinessCalendar.Parse("""
        {"party":"NIGHT","timeZone":"America/New_York","workingHours":{
          "monday":[{"start":"00:00","end":"04:00"}],"tuesday":[{"start":"00:00","end":"04:00"}],
          "wednesday":[{"start":"00:00","end":"04:00"}],"thursday":[{"start":"00:00","end":"04:00"}],
          "friday":[{"start":"00:00","end":"04:00"}],"saturday":[{"start":"00:00","end":"04:00"}],
          "sunday":[{"start":"00:00","end":"04:00"}]}}
        """);

    /// <summary>New York, Sundays 01:00-03:00 only: on 2026-03-08 the interval holds one real hour.</summary>
    public static BusinessCalendar SundayGap { get; } = BusinessCalendar.Parse("""
        {"party":"GAP","timeZone":"America/New_York","workingHours":{"sunday":[{"start":"01:00","end":"03:00"}]}}
        """);

    /// <summary>New York, Sundays 00:00-02:30: the end lies inside the 2026-03-08 spring-forward gap.</summary>
    public static BusinessCalendar SundayEndInGap { get; } = BusinessCalendar.Parse("""
        {"party":"GAP2","timeZone":"America/New_York","workingHours":{"sunday":[{"start":"00:00","end":"02:30"}]}}
        """);

    public static BusinessCalendar Continuous => BusinessCalendar.Continuous;

    public static BusinessCalendar ByName(string name) => name switch
    {
        "CN" => Cn,
        "US" => Us,
        "NIGHT" => Night,
        "GAP" => SundayGap,
        "GAP2" => SundayEndInGap,
        "24x7" => Continuous,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static BusinessCalendar? PartyCalendar(string party) => party.ToUpperInvariant() switch
    {
        "CN" => Cn,
        "US" => Us,
        _ => null,
    };

    /// <summary>A request from US to CN (so CN's calendar counts) unless the parties are given.</summary>
    public static SlaRequest Request(
        string priority,
        string submitted,
        string requesting = "US",
        string responding = "CN",
        RequestStatus status = RequestStatus.Open,
        string? statusChangedAt = null,
        string category = "investigation") =>
        new("REQ-1", requesting, responding, category, priority, At(submitted), status, statusChangedAt is null ? null : At(statusChangedAt));

    public static SlaEvent Event(string at, string kind, string? party, string id) => new(At(at), kind, party, id);

    public static RequestClocks Compute(SlaRequest request, params SlaEvent[] timeline) =>
        ClockEngine.Compute(request, timeline, SlaDefaults.Policy, PartyCalendar);
}
