using System.Text.Json;

namespace Monitor.Core.Config;

/// <summary>
/// One entry of config/sources.json. The short form maps a source to a party (<c>"liaison-cn": "CN"</c>); the object
/// form (<c>{"party": "CN", "format": {...}, "pull": {...}}</c>) adds per-source settings. A source with no party
/// reports related activity only.
/// </summary>
public sealed record SourceSettings(string Name, string? Party)
{
    /// <summary>How this source's files are read where detection cannot guess; null: everything detected.</summary>
    public SourceFormat? Format { get; init; }
}

/// <summary>Maps reporters and source folders to parties, and holds each source's settings.</summary>
public sealed class SourceMap
{
    private readonly IReadOnlySet<string> _parties;
    private readonly IReadOnlyDictionary<string, SourceSettings> _sources;

    public SourceMap(IReadOnlySet<string> parties, IReadOnlyDictionary<string, SourceSettings> sources)
    {
        _parties = parties;
        _sources = sources;
    }

    public IReadOnlySet<string> Parties => _parties;

    /// <summary>Every configured source, in file order.</summary>
    public IEnumerable<SourceSettings> Sources => _sources.Values;

    /// <summary>The settings of a source folder, or null when sources.json does not name it.</summary>
    public SourceSettings? SettingsOf(string source) => _sources.GetValueOrDefault(source);

    /// <summary>The party of a reporter value (a party code or a mapped source name), else of the source folder.</summary>
    public string? PartyOf(string? reporter, string source)
    {
        if (!string.IsNullOrWhiteSpace(reporter))
        {
            return Resolve(reporter.Trim());
        }
        return Resolve(source);
    }

    private string? Resolve(string name)
    {
        if (_parties.Contains(name))
        {
            return name.ToUpperInvariant();
        }
        return _sources.GetValueOrDefault(name)?.Party;
    }

    public static SourceMap Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var parties = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("parties", out var p))
        {
            foreach (var item in p.EnumerateArray())
            {
                parties.Add(item.GetString() ?? throw new FormatException("parties must be strings"));
            }
        }
        // Insertion order is file order: Dictionary keeps it while nothing is removed.
        var sources = new Dictionary<string, SourceSettings>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("sources", out var s))
        {
            foreach (var item in s.EnumerateObject())
            {
                var settings = ParseSource(item.Name, item.Value);
                sources[item.Name] = settings;
                if (settings.Party is { } party)
                {
                    parties.Add(party);
                }
            }
        }
        return new SourceMap(parties, sources);
    }

    private static SourceSettings ParseSource(string name, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return new SourceSettings(name, PartyCode(name, value));
            case JsonValueKind.Object:
                string? party = null;
                SourceFormat? format = null;
                foreach (var field in value.EnumerateObject())
                {
                    switch (field.Name)
                    {
                        case "party":
                            party = PartyCode(name, field.Value);
                            break;
                        case "format":
                            format = SourceFormat.Parse(name, field.Value);
                            break;
                        default:
                            throw new FormatException($"source '{name}': unknown field '{field.Name}' (expected party, format)");
                    }
                }
                return new SourceSettings(name, party) { Format = format };
            default:
                throw new FormatException($"source '{name}' must map to a party code or to an object such as {{\"party\": \"CN\"}}");
        }
    }

    private static string PartyCode(string source, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!.Trim().ToUpperInvariant()
            : throw new FormatException($"source '{source}': party must be a party code such as \"CN\"");
}
