namespace Monitor.Core.Sla;

/// <summary>
/// The policy and calendars shipped in Config/Defaults as embedded resources ("Monitor.Defaults.*.json"). Operators
/// override them in the config container; these are the fallback and the documented example.
/// </summary>
internal static class SlaDefaults
{
    private const string Prefix = "Monitor.Defaults.";
    private const string CalendarPrefix = Prefix + "calendar-";

    private static readonly Lazy<SlaPolicy> DefaultPolicy = new(() => Read("policy.json", SlaPolicy.Load));

    private static readonly Lazy<IReadOnlyDictionary<string, BusinessCalendar>> DefaultCalendars = new(() =>
        typeof(SlaDefaults).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(CalendarPrefix, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            .Select(name => Read(name[Prefix.Length..], BusinessCalendar.Load))
            .ToDictionary(calendar => calendar.Name, StringComparer.OrdinalIgnoreCase));

    /// <summary>The default policy (policy.json).</summary>
    public static SlaPolicy Policy => DefaultPolicy.Value;

    /// <summary>The parties that have a default calendar (calendar-&lt;party&gt;.json), by the party named inside the file.</summary>
    public static IReadOnlyList<string> CalendarParties => [.. DefaultCalendars.Value.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The default calendar of <paramref name="party"/> (case-insensitive), or null if none is shipped.</summary>
    public static BusinessCalendar? Calendar(string party)
    {
        ArgumentNullException.ThrowIfNull(party);
        return DefaultCalendars.Value.GetValueOrDefault(party.Trim());
    }

    private static T Read<T>(string file, Func<Stream, T> load)
    {
        using var stream = typeof(SlaDefaults).Assembly.GetManifestResourceStream(Prefix + file)
            ?? throw new InvalidOperationException($"The embedded default {Prefix}{file} is missing from the build.");
        return load(stream);
    }
}
