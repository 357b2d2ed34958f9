using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads a request register, exported from the liaison office's case system, as <see cref="RequestRecord"/>s and
/// <see cref="FeedRejection"/>s. The register is CSV, a JSON array of objects, or NDJSON (told apart by the first
/// character); columns and property names are those of <see cref="FeedColumns.RequestRegister"/>, with aliases.
/// </summary>
internal static partial class RequestRegisterParser
{
    public const int MaxRequestIdLength = 200;

    private static readonly IReadOnlyList<FeedColumn> Columns = FeedColumns.RequestRegister;
    private static readonly FrozenDictionary<string, int> Lookup = FeedColumns.Lookup(Columns);
    private static readonly int RequestId = Index(FeedColumns.RequestId);
    private static readonly int RequestingParty = Index(FeedColumns.RequestingParty);
    private static readonly int RespondingParty = Index(FeedColumns.RespondingParty);
    private static readonly int Category = Index(FeedColumns.Category);
    private static readonly int Priority = Index(FeedColumns.Priority);
    private static readonly int SubmittedAt = Index(FeedColumns.SubmittedAt);
    private static readonly int Summary = Index(FeedColumns.Summary);
    private static readonly int Indicators = Index(FeedColumns.Indicators);
    private static readonly int Status = Index(FeedColumns.Status);
    private static readonly int StatusChangedAt = Index(FeedColumns.StatusChangedAt);

    /// <summary>The priorities a register may give, most urgent first (the board's filter offers them in this order).</summary>
    internal static readonly string[] Priorities = ["critical", "high", "medium", "low"];

    /// <exception cref="FeedFormatException">
    /// The file is neither a CSV with the required columns nor a JSON array / NDJSON: quarantine the file.
    /// </exception>
    public static async IAsyncEnumerable<FeedEntry> ParseAsync(
        FeedSource source,
        FeedLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = await FirstSignificantByteAsync(source, cancellationToken).ConfigureAwait(false);
        if (first is '[' or '{')
        {
            await using var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new JsonStreamReader(stream, limits);
            var items = first == '[' ? reader.ReadElementsAsync(cancellationToken) : reader.ReadLinesAsync(cancellationToken);
            await foreach (var item in items.ConfigureAwait(false))
            {
                if (item.Problem == JsonStreamProblem.NotJson)
                {
                    throw new FeedFormatException("a JSON register must be an array of objects or NDJSON", "byte 0");
                }

                yield return item.IsError ? new FeedRejection(item.Path, Reason(item, limits)) : FromJson(item.Path, item.Value, limits);
            }

            yield break;
        }

        await foreach (var row in CsvRowReader.ReadAsync(source, Columns, CsvLayout.Register, limits, cancellationToken).ConfigureAwait(false))
        {
            yield return row.Rejection ?? Validate(row.Location, row.Values, limits, () => row.Describe(Columns));
        }
    }

    /// <summary>The register's own wording of what the reader could not read (its users and README know these words).</summary>
    private static string Reason(JsonStreamItem item, FeedLimits limits) => item.Problem switch
    {
        JsonStreamProblem.Syntax => $"invalid JSON: {item.Detail}",
        JsonStreamProblem.TooLarge => $"record is {item.Size} bytes, larger than the limit of {limits.MaxRecordBytes}",
        JsonStreamProblem.TooDeep => $"record is nested {item.Depth} levels deep, deeper than the limit of {limits.MaxJsonDepth}",
        _ => item.Error!,
    };

    private static FeedEntry FromJson(string location, JsonElement element, FeedLimits limits)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new FeedRejection(location, $"expected a JSON object, found {element.ValueKind.ToString().ToLowerInvariant()}");
        }

        var values = new string?[Columns.Count];
        var names = new string?[Columns.Count];
        foreach (var property in element.EnumerateObject())
        {
            if (!Lookup.TryGetValue(FeedColumns.Normalize(property.Name), out var column))
            {
                continue;
            }

            if (names[column] is { } earlier)
            {
                return new FeedRejection(location, $"properties '{earlier}' and '{property.Name}' both mean {Columns[column].Name}", Raw: Raw(element));
            }

            names[column] = property.Name;
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    values[column] = value.GetString()!.Trim();
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    values[column] = value.GetRawText();
                    break;
                case JsonValueKind.Array when column == Indicators && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String):
                    values[column] = string.Join(FeedColumns.ListSeparator, value.EnumerateArray().Select(v => v.GetString()));
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    return new FeedRejection(location, $"property '{property.Name}' must be a {(column == Indicators ? "string or an array of strings" : "string")}, not {value.ValueKind.ToString().ToLowerInvariant()}", Raw: Raw(element));
            }
        }

        return Validate(location, values, limits, () => Raw(element));
    }

    private static string Raw(JsonElement element) => FeedFieldParsing.Shorten(element.GetRawText(), CsvRow.RawLimit);

    private static FeedEntry Validate(string location, string?[] v, FeedLimits limits, Func<string> raw)
    {
        var errors = new List<string>();
        var requestId = v[RequestId];
        if (string.IsNullOrEmpty(requestId))
        {
            errors.Add("missing request_id");
        }
        else if (requestId.Length > MaxRequestIdLength)
        {
            errors.Add($"request_id is {requestId.Length} characters, longer than {MaxRequestIdLength}");
        }

        var requester = Party(FeedColumns.RequestingParty, v[RequestingParty], errors);
        var responder = Party(FeedColumns.RespondingParty, v[RespondingParty], errors);

        var category = v[Category]?.ToLowerInvariant();
        if (string.IsNullOrEmpty(category))
        {
            errors.Add("missing category");
        }

        var priority = v[Priority]?.ToLowerInvariant();
        if (string.IsNullOrEmpty(priority))
        {
            errors.Add("missing priority");
        }
        else if (!Priorities.Contains(priority))
        {
            errors.Add($"priority '{FeedFieldParsing.Shorten(v[Priority]!)}' is not one of {string.Join(", ", Priorities)}");
        }

        var submittedAt = Timestamp(FeedColumns.SubmittedAt, v[SubmittedAt], required: true, errors);

        var status = RequestStatus.Open;
        if (!string.IsNullOrEmpty(v[Status]))
        {
            switch (v[Status]!.ToLowerInvariant())
            {
                case "open": status = RequestStatus.Open; break;
                case "closed": status = RequestStatus.Closed; break;
                case "withdrawn": status = RequestStatus.Withdrawn; break;
                default: errors.Add($"status '{FeedFieldParsing.Shorten(v[Status]!)}' is not one of open, closed, withdrawn"); break;
            }
        }

        var statusChangedAt = Timestamp(FeedColumns.StatusChangedAt, v[StatusChangedAt], required: false, errors);
        if (statusChangedAt < submittedAt)
        {
            errors.Add($"status_changed_at {statusChangedAt:O} is before submitted_at {submittedAt:O}");
        }

        var indicators = FeedFieldParsing.SplitList(v[Indicators]);
        if (indicators.Count > limits.MaxIndicatorsPerRecord)
        {
            errors.Add($"{indicators.Count} indicators, more than the limit of {limits.MaxIndicatorsPerRecord}");
        }

        if (errors.Count > 0)
        {
            var id = requestId is { Length: > 0 and <= MaxRequestIdLength } ? requestId : null;
            return new FeedRejection(location, string.Join("; ", errors), id, raw());
        }

        return new RequestRecord(location, requestId!)
        {
            RequestingParty = requester!,
            RespondingParty = responder!,
            Category = category!,
            Priority = priority!,
            SubmittedAt = submittedAt!.Value,
            Summary = FeedFieldParsing.NullIfEmpty(v[Summary]),
            Indicators = indicators.ConvertAll(value => new RawIndicator(value)),
            Status = status,
            StatusChangedAt = statusChangedAt,
        };
    }

    /// <summary>Party codes are compared upper-case: "us-doj" in one file and "US-DOJ" in another are one party.</summary>
    private static string? Party(string column, string? value, List<string> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add($"missing {column}");
            return null;
        }

        var code = value.ToUpperInvariant();
        if (!PartyCode().IsMatch(code))
        {
            errors.Add($"{column} '{FeedFieldParsing.Shorten(value)}' is not a party code (2-10 letters, digits or '-')");
            return null;
        }

        return code;
    }

    private static DateTimeOffset? Timestamp(string column, string? value, bool required, List<string> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors.Add($"missing {column}");
            }

            return null;
        }

        if (FeedFieldParsing.TryParseTimestamp(column, value, out var parsed, out var error))
        {
            return parsed;
        }

        errors.Add(error);
        return null;
    }

    /// <summary>The first byte that is neither a BOM nor whitespace, or -1 for an empty file: it tells CSV from JSON.</summary>
    private static async Task<int> FirstSignificantByteAsync(FeedSource source, CancellationToken cancellationToken)
    {
        await using var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var span = buffer.AsSpan(0, read);
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        var index = span.IndexOfAnyExcept(" \t\r\n"u8);
        return index < 0 ? -1 : span[index];
    }

    private static int Index(string name) => FeedColumns.IndexOf(Columns, name);

    [GeneratedRegex("^[A-Z0-9-]{2,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartyCode();
}
