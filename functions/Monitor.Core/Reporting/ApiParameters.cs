using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Core.Sla;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Reporting;

/// <summary><c>GET /api/requests</c>: each filter optional, normalised to the stored spelling (party upper case, level and status lower case).</summary>
public sealed record RequestsQuery(string? Party, string? Level, string? Status)
{
    internal static RequestsQuery Parse(ApiParameters parameters)
    {
        parameters.Allow("party", "level", "status");
        return new(parameters.Party("party"), parameters.Level("level"), parameters.OneOf("status", RequestStatuses.All));
    }
}

/// <summary><c>GET /api/requests/{id}</c>: the request, evaluated at <see cref="AsOf"/> (null: now).</summary>
public sealed record RequestQuery(string Id, Instant? AsOf)
{
    internal static RequestQuery Parse(string id, ApiParameters parameters)
    {
        parameters.Allow("asOf");
        if (id.Length is 0 or > ReportingApi.MaxIdLength || id.Any(char.IsControl))
        {
            throw new ApiParameterException($"id: a request ID has 1 to {ReportingApi.MaxIdLength} characters and no control characters");
        }
        return new(id, parameters.Instant("asOf"));
    }
}

/// <summary>How <c>GET /api/board</c> orders the requests.</summary>
public enum BoardSort
{
    /// <summary>By the earliest due instant of a running clock (none last), then request ID.</summary>
    Due,
    /// <summary>By request ID.</summary>
    Id,
}

/// <summary><c>GET /api/board</c>: the open requests, each filter optional (party = responding party; level = the worst level).</summary>
public sealed record BoardQuery(string? Party, string? Level, string? Category, string? Priority, BoardSort Sort)
{
    public const int MaxCategoryLength = 200;

    internal static BoardQuery Parse(ApiParameters parameters)
    {
        parameters.Allow("party", "level", "category", "priority", "sort");
        var category = parameters.Category("category");
        var sort = parameters.OneOf("sort", ["due", "id"]) is "id" ? BoardSort.Id : BoardSort.Due;
        return new(parameters.Party("party"), parameters.Level("level"), category, parameters.OneOf("priority", Feeds.RequestRegisterParser.Priorities), sort);
    }
}

/// <summary><c>GET /api/feeds</c>: the newest <see cref="Limit"/> runs, of one source or all.</summary>
public sealed record FeedsQuery(string? Source, int Limit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    internal static FeedsQuery Parse(ApiParameters parameters)
    {
        parameters.Allow("source", "limit");
        return new(parameters.Source("source"), parameters.Count("limit", 1, MaxLimit) ?? DefaultLimit);
    }
}

/// <summary><c>GET /api/alerts</c>: the alerts reached in [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed record AlertsQuery(Instant From, Instant To)
{
    /// <summary>Defaults: to = <paramref name="now"/>, from = to minus 30 days; the range must be non-empty and at most <see cref="ReportingApi.MaxAlertRangeDays"/> days.</summary>
    internal static AlertsQuery Parse(ApiParameters parameters, Instant now)
    {
        parameters.Allow("from", "to");
        var to = parameters.Bound("to", endOfDay: true) ?? now;
        var from = parameters.Bound("from", endOfDay: false) ?? to - Duration.FromDays(30);
        if (from >= to)
        {
            throw new ApiParameterException($"from ({Format(from)}) must be before to ({Format(to)})");
        }
        if (to - from > Duration.FromDays(ReportingApi.MaxAlertRangeDays))
        {
            throw new ApiParameterException($"from..to spans {(to - from).TotalDays:0.#} days; at most {ReportingApi.MaxAlertRangeDays} are allowed");
        }
        return new(from, to);
    }

    private static string Format(Instant instant) => InstantPattern.General.Format(instant);
}

/// <summary><c>GET /api/pulls</c>: every pulled source, or only <see cref="Source"/>.</summary>
public sealed record PullsQuery(string? Source)
{
    internal static PullsQuery Parse(ApiParameters parameters)
    {
        parameters.Allow("source");
        return new(parameters.PulledSource("source"));
    }
}

/// <summary>The body of <c>GET /api/reports/{period}</c>.</summary>
public enum ReportFormat
{
    Json,
    Csv,
    Html,
    /// <summary>The PDF that the last <c>monitor report</c> printed and stored (a browser prints it, which the function app lacks).</summary>
    Pdf,
}

/// <summary><c>GET /api/reports/{period}</c>: the period recomputed at <see cref="AsOf"/> (null: now), answered as <see cref="Format"/>.</summary>
/// <param name="Language">The language of the HTML pack (lang=en|zh|both).</param>
/// <param name="File">With format=csv, which of the pack's CSV files (file=requests.csv; default period-stats.csv).</param>
public sealed record ReportQuery(ReportPeriod Period, ReportFormat Format, Instant? AsOf, PackLanguage Language = PackLanguage.En, string File = ReportFormats.StatsCsv)
{
    private static readonly string[] Formats = [.. Enum.GetValues<ReportFormat>().Select(FormatName)];
    private static readonly string[] Languages = [.. Enum.GetValues<PackLanguage>().Select(l => l.ToString().ToLowerInvariant())];

    public static string FormatName(ReportFormat format) => format.ToString().ToLowerInvariant();

    internal static ReportQuery Parse(string periodText, ApiParameters parameters)
    {
        parameters.Allow("format", "asOf", "lang", "file");
        if (!ReportPeriod.TryParse(periodText, out var period, out var error))
        {
            throw new ApiParameterException($"period: {error}");
        }
        var format = parameters.OneOf("format", Formats) is { } name ? Enum.Parse<ReportFormat>(name, ignoreCase: true) : ReportFormat.Json;
        var language = parameters.OneOf("lang", Languages) is { } lang ? Enum.Parse<PackLanguage>(lang, ignoreCase: true) : PackLanguage.En;
        var file = parameters.OneOf("file", ReportFormats.CsvFiles);
        if (file is not null && format != ReportFormat.Csv)
        {
            throw new ApiParameterException("file: names one of the pack's CSV files, so it needs format=csv");
        }
        return new(period, format, parameters.Instant("asOf"), language, file ?? ReportFormats.StatsCsv);
    }
}

/// <summary>A parameter that is malformed, unknown or out of range: the API answers 400 with its message, which names it.</summary>
internal sealed class ApiParameterException(string message) : Exception(message);

/// <summary>
/// A call's query parameters, read once into the typed queries above. The function key (<see cref="ReportingApi.KeyParameter"/>)
/// is the host's and is left out; every other parameter must be one the resource takes.
/// </summary>
internal sealed partial class ApiParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartyPattern();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    /// <summary>Parses a query string ("?a=1&amp;b=2"); a parameter given twice is an error, not a silent choice.</summary>
    public static bool TryParse(string? queryString, out ApiParameters parameters, out string error)
    {
        parameters = new ApiParameters();
        error = "";
        var text = queryString ?? "";
        if (text.StartsWith('?'))
        {
            text = text[1..];
        }
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            string name, value;
            try
            {
                name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
                value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            }
            catch (UriFormatException)
            {
                error = $"the query string is not valid URL encoding near '{pair}'";
                return false;
            }
            if (name == ReportingApi.KeyParameter)
            {
                continue;
            }
            if (!parameters._values.TryAdd(name, value))
            {
                error = $"{name}: the parameter is given more than once";
                return false;
            }
        }
        return true;
    }

    /// <summary>A user value inside an error message, in double quotes (JSON string syntax, so it cannot break the message apart).</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, ApiJsonContext.Api.String);

    public void Allow(params string[] known)
    {
        foreach (var name in _values.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new ApiParameterException($"{name}: unknown parameter (this resource takes {(known.Length == 0 ? "none" : string.Join(", ", known))})");
            }
        }
    }

    public string? Party(string name) => Text(name) is not { } party ? null
        : PartyPattern().IsMatch(party) ? party.ToUpperInvariant()
        : throw new ApiParameterException($"{name}: {Quote(party)} is not a party code (letters, digits, '-' or '_', at most 32, e.g. CN)");

    /// <summary>A pulled source's name as sources.json spells it (compared lower case, as PullState keys it).</summary>
    public string? PulledSource(string name) => Text(name) is not { } source ? null
        : source.Length <= 64 && source.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? source.ToLowerInvariant()
        : throw new ApiParameterException($"{name}: {Quote(source)} is not a source name (letters, digits, '-', '_' or '.', at most 64)");

    public string? Level(string name) => Text(name) is not { } text ? null
        : ClockLevels.TryParse(text, out var level) && !text.Any(char.IsWhiteSpace) ? ClockLevels.Name(level)
        : throw new ApiParameterException($"{name}: {Quote(text)} is not a level ({string.Join(", ", Enum.GetValues<ClockLevel>().Select(ClockLevels.Name))})");

    /// <summary>A request category: stored lower case, at most <see cref="BoardQuery.MaxCategoryLength"/> characters.</summary>
    public string? Category(string name) => Text(name) is not { } text ? null
        : text.Length <= BoardQuery.MaxCategoryLength && !text.Any(char.IsControl) ? text.ToLowerInvariant()
        : throw new ApiParameterException($"{name}: a category has at most {BoardQuery.MaxCategoryLength} characters and no control characters");

    /// <summary>A feed source: the folder name under incidents/ (or <c>requests</c> for registers).</summary>
    public string? Source(string name) => Text(name) is not { } text ? null
        : text.Length <= 200 && !text.Any(c => char.IsControl(c) || c is '/' or '\\') ? text
        : throw new ApiParameterException($"{name}: {Quote(text)} is not a source name (a folder name: at most 200 characters, no '/', '\\' or control characters)");

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int? Count(string name, int min, int max) => Text(name) is not { } text ? null
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
        : throw new ApiParameterException($"{name}: {Quote(text)} is not a whole number from {min} to {max}");

    /// <summary>One of <paramref name="allowed"/> (lower case), whatever the case given.</summary>
    public string? OneOf(string name, IReadOnlyList<string> allowed) => Text(name) is not { } text ? null
        : allowed.Contains(text.ToLowerInvariant(), StringComparer.Ordinal) ? text.ToLowerInvariant()
        : throw new ApiParameterException($"{name}: {Quote(text)} is not one of {string.Join(", ", allowed)}");

    /// <summary>An ISO-8601 instant with an offset.</summary>
    public Instant? Instant(string name) => Text(name) is not { } text ? null
        : OffsetDateTimePattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value.ToInstant()
        : throw new ApiParameterException($"{name}: {Quote(text)} is not an ISO-8601 instant with an offset (e.g. 2026-11-20T09:00:00Z)");

    /// <summary>A range bound: an instant with an offset, or a date (UTC) meaning its start (from) or its end (to).</summary>
    public Instant? Bound(string name, bool endOfDay)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }
        if (DatePattern().IsMatch(text))
        {
            var date = LocalDatePattern.Iso.Parse(text);
            if (!date.Success)
            {
                throw new ApiParameterException($"{name}: {Quote(text)} is not a valid date");
            }
            var day = endOfDay ? date.Value.PlusDays(1) : date.Value;
            return day.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        }
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text);
        return parsed.Success
            ? parsed.Value.ToInstant()
            : throw new ApiParameterException($"{name}: {Quote(text)} is not a date (2026-11-20) or an ISO-8601 instant with an offset (2026-11-20T09:00:00Z)");
    }

    /// <summary>The parameter's value; an empty value counts as not given.</summary>
    internal string? Text(string name) => _values.TryGetValue(name, out var text) && text.Length > 0 ? text : null;
}
