using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Monitor.Core.Config;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads an incident feed in JSON: an array of record objects (locations "$[i]") or NDJSON, one object per line
/// (locations "line N", blank lines skipped). Property names are the CSV columns and their aliases of
/// <see cref="FeedColumns.IncidentFeed"/>, matched the same way (case-insensitive, '-' and ' ' read as '_').
/// List fields (request_refs, indicators) take a ';'-separated string or an array; indicators may also be
/// objects <c>{"type": "ip", "value": "192.0.2.1"}</c> whose type becomes the indicator's hint.
/// </summary>
internal static class JsonFeedParser
{
    private static readonly JsonPathPattern Records = JsonPathPattern.Parse("$[*]");

    /// <summary>
    /// Records inside an object, as APIs and exports wrap them: <c>{"query_status": "ok", "data": [...]}</c> (ThreatFox),
    /// <c>{"urls": [...]}</c> (URLhaus), a pulse's <c>{"indicators": [...]}</c> (OTX), or ThreatFox's export keyed by
    /// IOC ID, <c>{"1234": [{...}]}</c>. Array elements there that are not objects (tags, references) are not records.
    /// </summary>
    private static readonly JsonPathPattern WrappedRecords = JsonPathPattern.Parse("$.*[*]");
    private static readonly IReadOnlyList<FeedColumn> Columns = FeedColumns.IncidentFeed;
    private static readonly FrozenDictionary<string, int> Lookup = FeedColumns.Lookup(Columns);

    /// <summary>How preferred each name is for its column: the canonical name first, then the aliases in their listed order.</summary>
    private static readonly FrozenDictionary<string, int> Rank = Columns
        .SelectMany(c => c.Aliases.Select((alias, i) => (Name: FeedColumns.Normalize(alias), Rank: i + 1)).Prepend((Name: FeedColumns.Normalize(c.Name), Rank: 0)))
        .DistinctBy(x => x.Name)
        .ToFrozenDictionary(x => x.Name, x => x.Rank);

    public static IAsyncEnumerable<FeedEntry> ParseArrayAsync(FeedSource source, FeedLimits limits, CancellationToken cancellationToken) =>
        ParseArrayAsync(source, limits, null, cancellationToken);

    public static IAsyncEnumerable<FeedEntry> ParseNdjsonAsync(FeedSource source, FeedLimits limits, CancellationToken cancellationToken) =>
        ParseNdjsonAsync(source, limits, null, cancellationToken);

    /// <exception cref="FeedFormatException">The file is not JSON, or its top-level value is not an array.</exception>
    public static IAsyncEnumerable<FeedEntry> ParseArrayAsync(FeedSource source, FeedLimits limits, SourceFormat? format, CancellationToken cancellationToken) =>
        ParseAsync(source, limits, format, reader => reader.ReadValuesAsync([Records, WrappedRecords], cancellationToken), requireArray: true, cancellationToken);

    /// <exception cref="FeedFormatException">The first non-blank line does not start a JSON value.</exception>
    public static IAsyncEnumerable<FeedEntry> ParseNdjsonAsync(FeedSource source, FeedLimits limits, SourceFormat? format, CancellationToken cancellationToken) =>
        ParseAsync(source, limits, format, reader => reader.ReadLinesAsync(cancellationToken), requireArray: false, cancellationToken);

    private static async IAsyncEnumerable<FeedEntry> ParseAsync(
        FeedSource source,
        FeedLimits limits,
        SourceFormat? format,
        Func<JsonStreamReader, IAsyncEnumerable<JsonStreamItem>> read,
        bool requireArray,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new JsonStreamReader(stream, limits);
        var any = false;
        var unused = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var entry in JsonFeedEntries.ReadAsync(read(reader), item => item.Pattern == WrappedRecords && item.Value.ValueKind != JsonValueKind.Object ? [] : [ToEntry(item.Path, item.Value, limits, format, unused)], entriesBefore: false, cancellationToken).ConfigureAwait(false))
        {
            any = true;
            yield return entry;
        }

        if (unused.Count > 0)
        {
            yield return new FeedNotice("$", $"properties not used: {string.Join(", ", unused.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ({p.Value} records)"))}");
        }

        if (requireArray && !any && reader.RootKind != JsonValueKind.Array)
        {
            throw new FeedFormatException($"a JSON feed must be an array of record objects (or an object holding such arrays), not a JSON {Describe(reader.RootKind)}{(reader.RootKind == JsonValueKind.Object ? " without one" : "")}", "$");
        }
    }

    /// <summary>Turns one record object into a <see cref="FeedRecord"/>, or a <see cref="FeedRejection"/> naming every problem.</summary>
    /// <param name="unused">Counts, per property name, the records that had a property nothing reads.</param>
    internal static FeedEntry ToEntry(string location, JsonElement record, FeedLimits limits, SourceFormat? format = null, Dictionary<string, int>? unused = null)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return new FeedRejection(location, $"a record must be a JSON object, not a JSON {Describe(record.ValueKind)}", null, JsonText.Raw(record));
        }

        // The most preferred name the record uses: the canonical name, else the alias listed first.
        var fields = new JsonElement?[Columns.Count];
        var ranks = new int[Columns.Count];
        var hints = new IndicatorType?[Columns.Count];
        foreach (var property in record.EnumerateObject())
        {
            var name = FeedColumns.Normalize(property.Name);
            if (Lookup.TryGetValue(name, out var column))
            {
                if (fields[column] is null || Rank[name] < ranks[column])
                {
                    fields[column] = property.Value;
                    ranks[column] = Rank[name];
                    hints[column] = FeedColumns.IndicatorColumnTypes.TryGetValue(name, out var hint) ? hint : null;
                }
            }
            else if (unused is not null && property.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                unused[property.Name] = unused.GetValueOrDefault(property.Name) + 1;
            }
        }

        var errors = new List<string>();
        var warnings = new List<string>();
        // A record without an ID gets one derived from its content, so reading the file again gives the same IDs.
        var recordId = Text(fields[IncidentColumn.RecordId], FeedColumns.RecordId, limits, errors) is { Length: > 0 } given
            ? given
            : TabularRoles.ContentId([record.GetRawText()]);

        DateTimeOffset? reportedAt = null;
        if (fields[IncidentColumn.ReportedAt] is { ValueKind: not JsonValueKind.Null } timestamp)
        {
            if (timestamp.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                errors.Add($"reported_at must be a date-time string or Unix seconds, not a JSON {Describe(timestamp.ValueKind)}");
            }
            else if (FeedFieldParsing.TryParseFeedTime(FeedColumns.ReportedAt, JsonText.Scalar(timestamp)!, format, out var parsed, out var error))
            {
                reportedAt = parsed;
            }
            else
            {
                errors.Add(error);
            }
        }

        var requestRefs = List(fields[IncidentColumn.RequestRefs], FeedColumns.RequestRefs, limits, errors, warnings);
        var kind = Text(fields[IncidentColumn.Kind], FeedColumns.Kind, limits, errors);
        var declaredType = Text(fields[IncidentColumn.IndicatorType], FeedColumns.IndicatorType, limits, errors);

        // A "type" that names an indicator type (OTX: "IPv4", "URL") types the indicator; otherwise it is the kind.
        var recordType = FeedIndicatorTypes.OfRecord(declaredType, ref kind, warnings, out var skipIndicators);
        var rowType = hints[IncidentColumn.Indicators] ?? recordType;
        var indicators = skipIndicators ? [] : IndicatorList(fields[IncidentColumn.Indicators], limits, errors, warnings, rowType);
        if (fields[IncidentColumn.Indicators] is null && !skipIndicators)
        {
            // No indicator property: every string of the record is scanned, as MISP's freetext import does.
            foreach (var property in record.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { } free)
                {
                    indicators.AddRange(FreetextIndicators.Extract(free));
                }
            }

            indicators = [.. indicators.Distinct()];
        }

        var referenceText = List(fields[IncidentColumn.ReferenceText], FeedColumns.ReferenceText, limits, errors, warnings);
        if (indicators.Count > limits.MaxIndicatorsPerRecord)
        {
            errors.Add($"{indicators.Count} indicators, more than the limit of {limits.MaxIndicatorsPerRecord}");
        }

        var reporter = Text(fields[IncidentColumn.Reporter], FeedColumns.Reporter, limits, errors);
        var summary = Text(fields[IncidentColumn.Summary], FeedColumns.Summary, limits, errors);
        var mitigation = fields[IncidentColumn.Mitigation] is { ValueKind: JsonValueKind.True } ? "true"
            : fields[IncidentColumn.Mitigation] is { ValueKind: JsonValueKind.False } ? null
            : Text(fields[IncidentColumn.Mitigation], FeedColumns.Mitigation, limits, errors);
        var hasFindings = Flag(fields[IncidentColumn.Findings], FeedColumns.Findings, limits, errors);
        var hasEvidence = Flag(fields[IncidentColumn.Evidence], FeedColumns.Evidence, limits, errors);

        if (errors.Count > 0)
        {
            return new FeedRejection(location, string.Join("; ", errors), string.IsNullOrEmpty(recordId) ? null : recordId, JsonText.Raw(record));
        }

        return new FeedRecord(location, recordId)
        {
            ReportedAt = reportedAt,
            Reporter = FeedFieldParsing.NullIfEmpty(reporter),
            Kind = FeedFieldParsing.NormalizeKind(kind),
            RequestRefs = requestRefs,
            Indicators = indicators,
            ReferenceText = referenceText,
            Summary = FeedFieldParsing.NullIfEmpty(summary),
            HasFindings = hasFindings,
            HasEvidence = hasEvidence,
            Mitigation = FeedFieldParsing.NullIfEmpty(mitigation),
            Warnings = warnings,
        };
    }

    /// <summary>A scalar field as text: strings as they are, numbers and booleans as written; objects and arrays are errors.</summary>
    private static string? Text(JsonElement? value, string field, FeedLimits limits, List<string> errors)
    {
        if (value is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = JsonText.Scalar(element);
        if (text is null)
        {
            errors.Add($"{field} must be a string, not a JSON {Describe(element.ValueKind)}");
            return null;
        }

        return WithinLimit(text, field, limits, errors)?.Trim();
    }

    private static bool? Flag(JsonElement? value, string field, FeedLimits limits, List<string> errors) => value switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => FeedFieldParsing.ParseFlag(Text(value, field, limits, errors)),
    };

    /// <summary>A list field: a ';'-separated string, or an array of strings.</summary>
    private static List<string> List(JsonElement? value, string field, FeedLimits limits, List<string> errors, List<string> warnings)
    {
        if (value is not { ValueKind: JsonValueKind.Array } array)
        {
            return FeedFieldParsing.SplitList(Text(value, field, limits, errors));
        }

        var items = new List<string>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (ListItem(element, $"{field}[{index++}]", "a value", limits, errors, warnings) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    private static List<RawIndicator> IndicatorList(JsonElement? value, FeedLimits limits, List<string> errors, List<string> warnings, IndicatorType? rowType)
    {
        const string field = FeedColumns.Indicators;
        if (value is not { ValueKind: JsonValueKind.Array } array)
        {
            var text = Text(value, field, limits, errors);
            // A URL may hold ';', so a URL is one value.
            return rowType == IndicatorType.Url
                ? (string.IsNullOrEmpty(text) ? [] : [new RawIndicator(text, rowType)])
                : FeedFieldParsing.SplitList(text).ConvertAll(item => new RawIndicator(item, rowType));
        }

        var indicators = new List<RawIndicator>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var where = $"{field}[{index++}]";
            if (element.ValueKind == JsonValueKind.Object)
            {
                var type = JsonText.Property(element, "type") is { } t ? JsonText.Scalar(t) : null;
                // OTX pulses list {"indicator": ..., "type": ...}; ThreatFox {"ioc": ...}.
                var text = (JsonText.Property(element, "value") ?? JsonText.Property(element, "indicator") ?? JsonText.Property(element, "ioc")) is { } v ? JsonText.Scalar(v) : null;
                if (string.IsNullOrWhiteSpace(text))
                {
                    warnings.Add($"{where} ignored: it has no \"value\"");
                    continue;
                }

                if (WithinLimit(text, where, limits, errors) is null)
                {
                    continue;
                }

                IndicatorType? hint = null;
                if (!string.IsNullOrWhiteSpace(type))
                {
                    var verdict = FeedIndicatorTypes.Read(type, out var parsed);
                    if (verdict == FeedIndicatorTypes.Verdict.Known)
                    {
                        hint = parsed;
                    }
                    else if (verdict == FeedIndicatorTypes.Verdict.Unsupported)
                    {
                        warnings.Add($"{where}: indicator type '{FeedFieldParsing.Shorten(type)}' is not one this system matches; the value was not read");
                        continue;
                    }
                    else
                    {
                        warnings.Add($"{where}: unknown indicator type '{FeedFieldParsing.Shorten(type)}'; the value is read without a type");
                    }
                }

                indicators.Add(new RawIndicator(text.Trim(), hint));
                continue;
            }

            if (ListItem(element, where, "an indicator", limits, errors, warnings) is { } item)
            {
                indicators.Add(new RawIndicator(item, rowType));
            }
        }

        return indicators;
    }

    /// <summary>
    /// A scalar element of a list field, trimmed; null when it is blank, or not a scalar (a warning: the rest of the
    /// list is still good), or too long (an error).
    /// </summary>
    private static string? ListItem(JsonElement element, string where, string what, FeedLimits limits, List<string> errors, List<string> warnings)
    {
        var text = element.ValueKind == JsonValueKind.Null ? null : JsonText.Scalar(element);
        if (text is null)
        {
            warnings.Add($"{where} ignored: a JSON {Describe(element.ValueKind)} is not {what}");
            return null;
        }

        return WithinLimit(text, where, limits, errors)?.Trim() is { Length: > 0 } item ? item : null;
    }

    /// <summary>The text, or null with an error when it is longer than <see cref="FeedLimits.MaxFieldLength"/>.</summary>
    private static string? WithinLimit(string text, string field, FeedLimits limits, List<string> errors)
    {
        if (text.Length <= limits.MaxFieldLength)
        {
            return text;
        }

        errors.Add($"{field} is {text.Length} characters, longer than the limit of {limits.MaxFieldLength}");
        return null;
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>Small readers of <see cref="JsonElement"/> values shared by the JSON, STIX and MISP parsers.</summary>
internal static class JsonText
{
    /// <summary>Raw text kept with a rejection; the rejects table is for diagnosis, not for a copy of the file.</summary>
    public const int RawLimit = 1024;

    public static string Raw(JsonElement element)
    {
        var raw = element.GetRawText();
        return FeedFieldParsing.Shorten(raw, RawLimit);
    }

    /// <summary>Strings as they are, numbers as written, booleans as true/false; null for anything else.</summary>
    public static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A property's value when it is a non-blank string (or a number), trimmed.</summary>
    public static string? String(JsonElement element, string name) =>
        Property(element, name) is { } value && Scalar(value) is { } text && !string.IsNullOrWhiteSpace(text) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? text.Trim()
            : null;

    /// <summary>The non-blank strings of an array property (a lone string counts as one).</summary>
    public static IEnumerable<string> Strings(JsonElement element, string name)
    {
        if (Property(element, name) is not { } value)
        {
            yield break;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            if (value.GetString() is { } single && !string.IsNullOrWhiteSpace(single))
            {
                yield return single.Trim();
            }

            yield break;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { } text && !string.IsNullOrWhiteSpace(text))
            {
                yield return text.Trim();
            }
        }
    }

    /// <summary>Free text cut to <paramref name="max"/> characters, with a warning when it was cut.</summary>
    public static string? Limit(string? text, int max, string field, List<string> warnings)
    {
        if (text is null || text.Length <= max)
        {
            return text;
        }

        warnings.Add($"{field} cut to {max} of its {text.Length} characters");
        return text[..max];
    }

    /// <summary>Unix seconds, as MISP writes them (a string or a number).</summary>
    public static bool TryParseUnixSeconds(string text, out DateTimeOffset value)
    {
        value = default;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }
}
