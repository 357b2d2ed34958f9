using System.Text.Json;
using Monitor.Core.Indicators;
using NodaTime;

namespace Monitor.Core.Config;

/// <summary>
/// A column of a tabular feed named in <see cref="SourceFormat"/>: by its header name, or by its 1-based position
/// (for a file without a header).
/// </summary>
public readonly record struct ColumnRef(string? Name, int Number)
{
    public override string ToString() => Name ?? $"column {Number}";
}

/// <summary>An indicator column and the type its values have (null: detected from each value).</summary>
public sealed record IndicatorColumn(ColumnRef Column, IndicatorType? Type);

/// <summary>
/// How a source's files are read where auto-detection cannot guess (the <c>format</c> of a source in
/// config/sources.json). Every field is optional; what is not set is detected.
/// </summary>
public sealed record SourceFormat
{
    /// <summary>Lines starting with this text are comments (default "#"); a commented header is still the header.</summary>
    public string CommentPrefix { get; init; } = "#";

    /// <summary>Zone of times written without an offset (default UTC).</summary>
    public DateTimeZone TimeZone { get; init; } = DateTimeZone.Utc;

    /// <summary>A .NET custom date-time format the time column is written in, tried before the standard forms.</summary>
    public string? TimeFormat { get; init; }

    /// <summary>False: the file has no header line (its columns are then named by number, or by <see cref="Names"/>).</summary>
    public bool? Header { get; init; }

    /// <summary>Names for the columns of a header-less file, in order.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    public ColumnRef? Id { get; init; }
    public ColumnRef? Time { get; init; }
    public IReadOnlyList<IndicatorColumn> Indicators { get; init; } = [];
    public ColumnRef? Reference { get; init; }
    public ColumnRef? Kind { get; init; }
    public ColumnRef? Summary { get; init; }

    /// <summary>Reads the <c>format</c> object of source <paramref name="source"/>; every error names the source and the field.</summary>
    public static SourceFormat Parse(string source, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, "format", "must be an object");
        }
        var format = new SourceFormat();
        foreach (var field in value.EnumerateObject())
        {
            var v = field.Value;
            format = field.Name switch
            {
                "commentPrefix" => format with { CommentPrefix = Text(source, "format.commentPrefix", v) },
                "timeZone" => format with
                {
                    TimeZone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(Text(source, "format.timeZone", v))
                        ?? throw Error(source, "format.timeZone", $"'{v.GetString()}' is not an IANA time zone such as \"UTC\" or \"Asia/Shanghai\""),
                },
                "timeFormat" => format with { TimeFormat = Text(source, "format.timeFormat", v) },
                "header" => format with
                {
                    Header = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Error(source, "format.header", "must be true or false"),
                },
                "names" => format with { Names = ParseNames(source, v) },
                "columns" => Columns(source, format, v),
                _ => throw Error(source, $"format.{field.Name}", "is not a format field (expected commentPrefix, timeZone, timeFormat, header, names, columns)"),
            };
        }
        return format;
    }

    private static SourceFormat Columns(string source, SourceFormat format, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, "format.columns", "must be an object such as {\"time\": \"dateadded\", \"indicators\": [{\"column\": \"url\", \"type\": \"url\"}]}");
        }
        foreach (var field in value.EnumerateObject())
        {
            var path = $"format.columns.{field.Name}";
            format = field.Name switch
            {
                "id" => format with { Id = Column(source, path, field.Value) },
                "time" => format with { Time = Column(source, path, field.Value) },
                "reference" => format with { Reference = Column(source, path, field.Value) },
                "kind" => format with { Kind = Column(source, path, field.Value) },
                "summary" => format with { Summary = Column(source, path, field.Value) },
                "indicators" => format with { Indicators = IndicatorColumns(source, path, field.Value) },
                _ => throw Error(source, path, "is not a column role (expected id, time, indicators, reference, kind, summary)"),
            };
        }
        return format;
    }

    private static List<IndicatorColumn> IndicatorColumns(string source, string path, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(source, path, "must be an array of columns: \"url\", 3 or {\"column\": \"dst_ip\", \"type\": \"ip\"}");
        }
        var columns = new List<IndicatorColumn>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var where = $"{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                columns.Add(new IndicatorColumn(Column(source, where, item), null));
                continue;
            }
            ColumnRef? column = null;
            IndicatorType? type = null;
            foreach (var field in item.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "column":
                        column = Column(source, $"{where}.column", field.Value);
                        break;
                    case "type":
                        var name = Text(source, $"{where}.type", field.Value);
                        type = IndicatorTypes.TryParse(name, out var parsed)
                            ? parsed
                            : throw Error(source, $"{where}.type", $"'{name}' is not an indicator type (ip, cidr, domain, url, md5, sha1, sha256, sha512, email)");
                        break;
                    default:
                        throw Error(source, $"{where}.{field.Name}", "is not an indicator column field (expected column, type)");
                }
            }
            columns.Add(new IndicatorColumn(column ?? throw Error(source, where, "has no \"column\""), type));
        }
        return columns;
    }

    private static ColumnRef Column(string source, string path, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when !string.IsNullOrWhiteSpace(value.GetString()) => new ColumnRef(value.GetString()!.Trim(), 0),
        JsonValueKind.Number when value.TryGetInt32(out var n) && n >= 1 => new ColumnRef(null, n),
        _ => throw Error(source, path, "must be a column name or a column number from 1"),
    };

    private static List<string> ParseNames(string source, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(source, "format.names", "must be an array of column names");
        }
        return [.. value.EnumerateArray().Select((item, i) => Text(source, $"format.names[{i}]", item))];
    }

    private static string Text(string source, string path, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString())
            ? value.GetString()!
            : throw Error(source, path, "must be a non-empty string");

    private static FormatException Error(string source, string path, string problem) => new($"source '{source}': {path} {problem}");
}
