using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads MISP event JSON: <c>{"Event": {…}}</c>, a bare event, a search result <c>{"response": [{"Event": …}, …]}</c>
/// (or an array of wrapped events), and an attribute search result <c>{"response": {"Attribute": […]}}</c>.
/// <para>
/// Events can hold hundreds of thousands of attributes, so each attribute of an indicator type is one record, streamed
/// from Event.Attribute[] and Event.Object[].Attribute[]: RecordId "&lt;event uuid&gt;/&lt;attribute uuid&gt;", ReportedAt
/// from the attribute's timestamp (else the event's timestamp, publish_timestamp, date), Summary the event's info,
/// Reporter the creating organisation (Orgc.name), Kind from a tag <c>monitor:kind="…"</c> (else "misp-attribute"),
/// and the event info, attribute comment and tag names as <see cref="FeedRecord.ReferenceText"/>.
/// Attributes of other types (text, filename, size-in-bytes, …) and deleted attributes are not records and not errors.
/// </para>
/// The event's own fields may come after its attributes in the file, so a first pass reads them while skipping the
/// attribute arrays, and a second pass streams the attributes.
/// </summary>
internal static class MispEventParser
{
    private const string DefaultKind = "misp-attribute";

    private static readonly string[] HeaderFields = ["uuid", "id", "info", "timestamp", "publish_timestamp", "date", "Orgc", "Tag"];

    /// <summary>Where an event sits, per layout; events of a list are told apart by their index.</summary>
    private static readonly (Layout Layout, string Base)[] EventPaths =
    [
        (Layout.Wrapped, "$.Event"),
        (Layout.Bare, "$"),
        (Layout.SearchResult, "$.response[*].Event"),
        (Layout.SearchResultSingle, "$.response.Event"),
        (Layout.EventArray, "$[*].Event"),
    ];

    private static readonly Dictionary<JsonPathPattern, (Layout Layout, string Field)> HeaderPatterns =
        EventPaths.SelectMany(e => HeaderFields.Select(field => (Pattern: JsonPathPattern.Parse($"{e.Base}.{field}"), e.Layout, Field: field)))
            .ToDictionary(x => x.Pattern, x => (x.Layout, x.Field));

    private static readonly Dictionary<JsonPathPattern, Layout> AttributePatterns =
        EventPaths.SelectMany(e => new[] { $"{e.Base}.Attribute[*]", $"{e.Base}.Object[*].Attribute[*]" }.Select(path => (Pattern: JsonPathPattern.Parse(path), e.Layout)))
            .Append((Pattern: JsonPathPattern.Parse("$.response.Attribute[*]"), Layout: Layout.AttributeSearch))
            .ToDictionary(x => x.Pattern, x => x.Layout);

    private enum Layout
    {
        Wrapped,
        Bare,
        SearchResult,
        SearchResultSingle,
        EventArray,
        AttributeSearch,
    }

    /// <exception cref="FeedFormatException">The file is not JSON, or holds no MISP event or attribute list.</exception>
    public static async IAsyncEnumerable<FeedEntry> ParseAsync(
        FeedSource source,
        FeedLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (headers, headerProblems) = await ReadHeadersAsync(source, limits, cancellationToken).ConfigureAwait(false);
        foreach (var problem in headerProblems)
        {
            yield return problem;
        }

        var any = headerProblems.Count > 0;
        var warned = new HashSet<EventHeader>();
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        bool reached;
        await using (var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            using var reader = new JsonStreamReader(stream, limits);
            var items = reader.ReadValuesAsync([.. AttributePatterns.Keys], cancellationToken);
            await foreach (var entry in JsonFeedEntries.ReadAsync(items, AttributeEntries, entriesBefore: any, cancellationToken).ConfigureAwait(false))
            {
                any = true;
                yield return entry;
            }

            reached = AttributePatterns.Keys.Any(reader.Reached);
        }

        if (!any && !reached && headers.Count == 0)
        {
            throw new FeedFormatException("no MISP event: neither \"Event\", \"Attribute\", \"Object\" nor \"response\" holds attributes", "$");
        }

        if (skipped.Count > 0)
        {
            yield return new FeedNotice("$", StixBundleParser.Counted($"{skipped.Values.Sum()} MISP attributes of types that hold no indicator this system matches were not read", skipped));
        }

        // An attribute of a type that holds no indicator is no entry.
        IEnumerable<FeedEntry> AttributeEntries(JsonStreamItem item)
        {
            var layout = AttributePatterns[item.Pattern!];
            var header = layout == Layout.AttributeSearch
                ? EmbeddedHeader(item.Value)
                : headers.GetValueOrDefault(Key(layout, item.Indices)) ?? new EventHeader();
            var eventKey = header.Uuid ?? header.Id ?? (layout is Layout.SearchResult or Layout.EventArray ? $"event-{item.Indices[0]}" : "event");

            if (JsonText.String(item.Value, "type") is { } type && !IsIndicatorType(type)
                && JsonText.Property(item.Value, "deleted") is not { ValueKind: JsonValueKind.True })
            {
                skipped[type] = skipped.GetValueOrDefault(type) + 1;
            }

            // The event's own problems go out once, with its first record.
            var headerWarnings = warned.Add(header) ? header.Warnings : [];
            return ToEntry(item.Path, item.Value, header, eventKey, headerWarnings, limits) is { } entry ? [entry] : [];
        }
    }

    /// <summary>Pass 1: the fields of each event, skipping its (possibly huge) attribute and object arrays.</summary>
    private static async Task<(Dictionary<(Layout, int), EventHeader> Headers, List<FeedEntry> Problems)> ReadHeadersAsync(
        FeedSource source, FeedLimits limits, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<(Layout, int), EventHeader>();
        var problems = new List<FeedEntry>();
        await using var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new JsonStreamReader(stream, limits);
        await foreach (var item in reader.ReadValuesAsync([.. HeaderPatterns.Keys], cancellationToken).ConfigureAwait(false))
        {
            if (item.IsFatal)
            {
                // The second pass meets the same damage and reports it where it lies.
                break;
            }

            if (item.IsError)
            {
                problems.Add(new FeedRejection(item.Path, $"event field not read: {item.Error}"));
                continue;
            }

            var (layout, field) = HeaderPatterns[item.Pattern!];
            var key = Key(layout, item.Indices);
            if (!headers.TryGetValue(key, out var header))
            {
                headers[key] = header = new EventHeader();
            }

            header.Read(field, item.Value, item.Path);
        }

        return (headers, problems);
    }

    private static (Layout, int) Key(Layout layout, IReadOnlyList<int> indices) =>
        (layout, layout is Layout.SearchResult or Layout.EventArray && indices.Count > 0 ? indices[0] : 0);

    /// <summary>Attribute search results carry a summary of their event inside each attribute.</summary>
    private static EventHeader EmbeddedHeader(JsonElement attribute)
    {
        var header = new EventHeader();
        if (JsonText.Property(attribute, "Event") is { ValueKind: JsonValueKind.Object } embedded)
        {
            header.Uuid = JsonText.String(embedded, "uuid");
            header.Id = JsonText.String(embedded, "id");
            header.Info = JsonText.String(embedded, "info");
        }

        return header;
    }

    private static FeedEntry? ToEntry(string location, JsonElement attribute, EventHeader header, string eventKey, IReadOnlyList<string> headerWarnings, FeedLimits limits)
    {
        if (attribute.ValueKind != JsonValueKind.Object)
        {
            return new FeedRejection(location, $"a MISP attribute must be a JSON object, not a JSON {JsonFeedParser.Describe(attribute.ValueKind)}", null, JsonText.Raw(attribute));
        }

        var attributeKey = JsonText.String(attribute, "uuid") ?? JsonText.String(attribute, "id");
        var recordId = $"{eventKey}/{attributeKey ?? location}";
        var type = JsonText.String(attribute, "type");
        if (type is null)
        {
            return new FeedRejection(location, "MISP attribute has no type", recordId, JsonText.Raw(attribute));
        }

        if (JsonText.Property(attribute, "deleted") is { ValueKind: JsonValueKind.True } || !IsIndicatorType(type))
        {
            return null;
        }

        var value = JsonText.Property(attribute, "value") is { } v ? JsonText.Scalar(v)?.Trim() : null;
        if (string.IsNullOrEmpty(value))
        {
            return new FeedRejection(location, $"MISP attribute of type {type} has no value", recordId, JsonText.Raw(attribute));
        }

        if (value.Length > limits.MaxFieldLength)
        {
            return new FeedRejection(location, $"value is {value.Length} characters, longer than the limit of {limits.MaxFieldLength}", recordId, JsonText.Raw(attribute));
        }

        if (!TryReadIndicators(type, value, out var indicators, out var valueError))
        {
            return new FeedRejection(location, valueError, recordId, JsonText.Raw(attribute));
        }

        DateTimeOffset? reportedAt = header.Timestamp ?? header.PublishTimestamp ?? header.Date;
        if (JsonText.Property(attribute, "timestamp") is { } stamp && JsonText.Scalar(stamp) is { Length: > 0 } stampText)
        {
            if (!JsonText.TryParseUnixSeconds(stampText.Trim(), out var parsed))
            {
                return new FeedRejection(location, $"timestamp '{FeedFieldParsing.Shorten(stampText)}' is not a time in Unix seconds", recordId, JsonText.Raw(attribute));
            }

            reportedAt = parsed;
        }

        var warnings = new List<string>(headerWarnings);
        if (attributeKey is null)
        {
            warnings.Add("attribute has neither uuid nor id; its record ID is its JSON path");
        }

        var tags = TagNames(attribute);
        var kind = tags.Select(MonitorTags.KindOf).FirstOrDefault(k => k is not null)
            ?? header.Tags.Select(MonitorTags.KindOf).FirstOrDefault(k => k is not null)
            ?? DefaultKind;

        var referenceText = new List<string>();
        AddText(referenceText, header.Info, limits, warnings);
        AddText(referenceText, JsonText.String(attribute, "comment"), limits, warnings);
        foreach (var tag in header.Tags.Concat(tags))
        {
            AddText(referenceText, tag, limits, warnings);
        }

        return new FeedRecord(location, recordId)
        {
            ReportedAt = reportedAt,
            Reporter = header.Organisation,
            Kind = FeedFieldParsing.NormalizeKind(kind),
            Indicators = indicators,
            Summary = JsonText.Limit(header.Info, limits.MaxFieldLength, "Event.info", warnings),
            ReferenceText = referenceText.Distinct(StringComparer.Ordinal).ToList(),
            Warnings = warnings,
        };
    }

    private static void AddText(List<string> texts, string? text, FeedLimits limits, List<string> warnings)
    {
        if (JsonText.Limit(text, limits.MaxFieldLength, "reference text", warnings) is { } limited)
        {
            texts.Add(limited);
        }
    }

    private static List<string> TagNames(JsonElement owner) =>
        JsonText.Property(owner, "Tag") is { } tags ? [.. EventHeader.NamesOf(tags)] : [];

    private static bool IsIndicatorType(string type) => type switch
    {
        "ip-src" or "ip-dst" or "ip-src|port" or "ip-dst|port" => true,
        "domain" or "hostname" or "domain|ip" or "hostname|port" => true,
        "url" or "uri" => true,
        "md5" or "sha1" or "sha256" or "sha512" => true,
        "filename|md5" or "filename|sha1" or "filename|sha256" or "filename|sha512" => true,
        "email" or "email-src" or "email-dst" or "email-reply-to" => true,
        _ => false,
    };

    private static bool TryReadIndicators(string type, string value, out List<RawIndicator> indicators, out string error)
    {
        indicators = [];
        error = "";
        string? left = null, right = null;
        if (type.Contains('|'))
        {
            // "filename|md5" and "ip-dst|port": the pipe that separates the parts is the last one, a file name may hold one too.
            var pipe = value.LastIndexOf('|');
            if (pipe <= 0 || pipe == value.Length - 1)
            {
                error = $"value '{FeedFieldParsing.Shorten(value)}' of type {type} is not two values joined by '|'";
                return false;
            }

            left = value[..pipe].Trim();
            right = value[(pipe + 1)..].Trim();
        }

        switch (type)
        {
            case "ip-src" or "ip-dst":
                indicators.Add(Address(value));
                break;
            case "ip-src|port" or "ip-dst|port":
                indicators.Add(Address(left!));
                break;
            case "domain" or "hostname":
                indicators.Add(new RawIndicator(value, IndicatorType.Domain));
                break;
            case "hostname|port":
                indicators.Add(new RawIndicator(left!, IndicatorType.Domain));
                break;
            case "domain|ip":
                indicators.Add(new RawIndicator(left!, IndicatorType.Domain));
                indicators.Add(Address(right!));
                break;
            case "url" or "uri":
                indicators.Add(new RawIndicator(value, IndicatorType.Url));
                break;
            case "md5" or "sha1" or "sha256" or "sha512":
                indicators.Add(new RawIndicator(value, StixPattern.HashType(type)));
                break;
            case "email" or "email-src" or "email-dst" or "email-reply-to":
                indicators.Add(new RawIndicator(value, IndicatorType.Email));
                break;
            default:
                // filename|<hash>: the hash is the indicator, the file name is not.
                indicators.Add(new RawIndicator(right!, StixPattern.HashType(type[(type.IndexOf('|') + 1)..])));
                break;
        }

        return true;
    }

    private static RawIndicator Address(string value) => new(value, value.Contains('/') ? IndicatorType.Cidr : IndicatorType.Ip);

    /// <summary>The event fields every attribute record takes, read in pass 1.</summary>
    private sealed class EventHeader
    {
        public string? Uuid { get; set; }
        public string? Id { get; set; }
        public string? Info { get; set; }
        public DateTimeOffset? Timestamp { get; set; }
        public DateTimeOffset? PublishTimestamp { get; set; }
        public DateTimeOffset? Date { get; set; }
        public string? Organisation { get; set; }
        public List<string> Tags { get; } = [];
        public List<string> Warnings { get; } = [];

        public void Read(string field, JsonElement value, string path)
        {
            switch (field)
            {
                case "uuid":
                    Uuid = Text(value);
                    break;
                case "id":
                    Id = Text(value);
                    break;
                case "info":
                    Info = Text(value);
                    break;
                case "timestamp":
                    Timestamp = UnixTime(value, path);
                    break;
                case "publish_timestamp":
                    PublishTimestamp = UnixTime(value, path);
                    break;
                case "date":
                    if (Text(value) is { } date)
                    {
                        if (DateTimeOffset.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day))
                        {
                            Date = day;
                        }
                        else
                        {
                            Warnings.Add($"{path} '{FeedFieldParsing.Shorten(date)}' is not a date (yyyy-MM-dd)");
                        }
                    }

                    break;
                case "Orgc":
                    Organisation = JsonText.String(value, "name");
                    break;
                case "Tag":
                    Tags.AddRange(NamesOf(value));
                    break;
            }
        }

        public static IEnumerable<string> NamesOf(JsonElement tags)
        {
            if (tags.ValueKind != JsonValueKind.Array)
            {
                yield break;
            }

            foreach (var tag in tags.EnumerateArray())
            {
                if (JsonText.String(tag, "name") is { } name)
                {
                    yield return name;
                }
            }
        }

        private static string? Text(JsonElement value) => JsonText.Scalar(value) is { } text && !string.IsNullOrWhiteSpace(text) ? text.Trim() : null;

        /// <summary>Unix seconds; "0" is MISP's "never" (an unpublished event's publish_timestamp).</summary>
        private DateTimeOffset? UnixTime(JsonElement value, string path)
        {
            if (Text(value) is not { } text || text == "0")
            {
                return null;
            }

            if (JsonText.TryParseUnixSeconds(text, out var parsed))
            {
                return parsed;
            }

            Warnings.Add($"{path} '{FeedFieldParsing.Shorten(text)}' is not a time in Unix seconds");
            return null;
        }
    }
}
