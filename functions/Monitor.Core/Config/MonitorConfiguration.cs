using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Monitor.Core.Indicators;
using Monitor.Core.Sla;
using Monitor.Core.Storage;

namespace Monitor.Core.Config;

/// <summary>
/// Operator configuration: the SLA policy, one business calendar per party, the source-to-party map and the
/// warninglist. Each is a JSON blob in the config container (policy.json, calendars/&lt;PARTY&gt;.json,
/// sources.json, warninglist.json); a missing blob falls back to the default shipped in this assembly.
/// </summary>
public sealed class MonitorConfiguration(MonitorStorage storage)
{
    public const string PolicyBlob = "policy.json";
    public const string SourcesBlob = "sources.json";
    public const string WarninglistBlob = "warninglist.json";
    public const string CalendarsFolder = "calendars/";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Version, ConfigSnapshot Snapshot)? _cached;

    /// <summary>
    /// The configuration in force. One listing of the config container tells whether any document changed since the
    /// last load (by name and ETag); only then are they read and parsed again, so a feed, a sweep or each archived
    /// feed of a retro-match costs one list call instead of every document.
    /// </summary>
    public async Task<ConfigSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var documents = new List<BlobItem>();
        await foreach (var blob in storage.Config.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken))
        {
            if (blob.Name is PolicyBlob or SourcesBlob or WarninglistBlob || blob.Name.StartsWith(CalendarsFolder, StringComparison.Ordinal))
            {
                documents.Add(blob);
            }
        }
        var version = string.Join('\n', documents.Select(d => $"{d.Name}|{d.Properties.ETag}"));
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } cached && cached.Version == version)
            {
                return cached.Snapshot;
            }
            var snapshot = await ReadSnapshotAsync(documents.Select(d => d.Name).ToHashSet(StringComparer.Ordinal), cancellationToken);
            _cached = (version, snapshot);
            return snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ConfigSnapshot> ReadSnapshotAsync(IReadOnlySet<string> present, CancellationToken cancellationToken)
    {
        async Task<string?> ReadIfPresentAsync(string name) => present.Contains(name) ? await ReadAsync(name, cancellationToken) : null;
        var policyJson = await ReadIfPresentAsync(PolicyBlob) ?? Defaults.Read("policy.json");
        var sourcesJson = await ReadIfPresentAsync(SourcesBlob) ?? Defaults.Read("sources.json");
        var warnJson = await ReadIfPresentAsync(WarninglistBlob) ?? Defaults.Read("warninglist.json");

        var calendars = new Dictionary<string, BusinessCalendar>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Defaults.Names.Where(n => n.StartsWith("calendar-", StringComparison.Ordinal)))
        {
            var calendar = Parse(name, () => BusinessCalendar.Parse(Defaults.Read(name)));
            calendars[calendar.Name] = calendar;
        }
        foreach (var name in present.Where(n => n.StartsWith(CalendarsFolder, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var json = await ReadAsync(name, cancellationToken);
            if (json is not null)
            {
                var calendar = Parse(name, () => BusinessCalendar.Parse(json));
                calendars[calendar.Name] = calendar;
            }
        }
        return new ConfigSnapshot(
            Parse(PolicyBlob, () => SlaPolicy.Parse(policyJson)),
            calendars,
            Parse(SourcesBlob, () => SourceMap.Parse(sourcesJson)),
            Parse(WarninglistBlob, () => Warninglist.Parse(warnJson)));
    }

    private async Task<string?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var content = await storage.Config.GetBlobClient(name).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static T Parse<T>(string name, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or InvalidOperationException or SlaConfigurationException)
        {
            throw new InvalidOperationException($"config/{name}: {ex.Message}", ex);
        }
    }
}

/// <summary>The configuration in force for one run.</summary>
public sealed record ConfigSnapshot(
    SlaPolicy Policy,
    IReadOnlyDictionary<string, BusinessCalendar> Calendars,
    SourceMap Sources,
    Warninglist Warninglist)
{
    public BusinessCalendar? CalendarOf(string party) => Calendars.GetValueOrDefault(party);

    /// <summary>The calendar a clock was computed on: the built-in 24x7 one or a party's.</summary>
    public BusinessCalendar CalendarOf(ClockState clock) =>
        string.Equals(clock.CalendarName, BusinessCalendar.ContinuousName, StringComparison.OrdinalIgnoreCase)
            ? BusinessCalendar.Continuous
            : CalendarOf(clock.CalendarName)
              ?? throw new SlaConfigurationException($"the {clock.Kind} clock was computed on calendar '{clock.CalendarName}', which the configuration no longer has");
}

/// <summary>Benign values that never match. A listed domain also covers its subdomains.</summary>
public sealed class Warninglist(IReadOnlySet<string> values)
{
    public int Count => values.Count;

    public bool Contains(Indicator indicator)
    {
        if (values.Contains(indicator.ToString()))
        {
            return true;
        }
        if (indicator.Type == IndicatorType.Domain)
        {
            foreach (var parent in IndicatorMath.ParentDomains(indicator.Value))
            {
                if (values.Contains($"domain:{parent}"))
                {
                    return true;
                }
            }
        }
        return false;
    }

    public static Warninglist Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in doc.RootElement.GetProperty("values").EnumerateArray())
        {
            var raw = item.GetString() ?? throw new FormatException("warninglist values must be strings");
            if (!IndicatorNormalizer.TryNormalize(raw, out var indicator, out var error))
            {
                throw new FormatException($"warninglist value '{raw}': {error}");
            }
            set.Add(indicator.ToString());
        }
        return new Warninglist(set);
    }
}

/// <summary>The defaults embedded in this assembly (Config/Defaults/*.json).</summary>
internal static class Defaults
{
    private const string Prefix = "Monitor.Defaults.";

    public static IEnumerable<string> Names =>
        typeof(Defaults).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]);

    public static string Read(string name)
    {
        using var stream = typeof(Defaults).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"default {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
