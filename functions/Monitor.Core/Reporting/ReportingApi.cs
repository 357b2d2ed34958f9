using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Reporting;

/// <summary>An answer of the reporting API: status code, content type and body.</summary>
public sealed record ApiResponse(int Status, string ContentType, string Body)
{
    public const string JsonType = "application/json; charset=utf-8";
    public const string CsvType = "text/csv; charset=utf-8";
    public const string HtmlType = "text/html; charset=utf-8";

    public static ApiResponse Json<T>(T value, JsonTypeInfo<T> type, int status = 200) => new(status, JsonType, JsonSerializer.Serialize(value, type));

    public static ApiResponse Error(int status, string message) => Json(new ApiError(message, status), ApiJsonContext.Api.ApiError, status);
}

/// <summary>
/// The reporting HTTP API, host-independent: (method, path, query string) in, (status, content type, body) out. The
/// HTTP-triggered functions and `monitor serve` both call it, so they answer identically; authentication (the
/// function key) is the host's job. Every parameter is validated, and a bad one gets a 400 that names it. Values reach
/// table filters only through the stores, which build them with <c>TableClient.CreateQueryFilter</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>GET /api/requests?party=&amp;level=&amp;status=</c>: the requests with their clock columns.</item>
/// <item><c>GET /api/requests/{id}</c>: the row, its timeline (newest first), each clock's explanation and the quality score's reasons.</item>
/// <item><c>GET /api/alerts?from=&amp;to=</c>: the alerts whose level was reached in [from, to).</item>
/// <item><c>GET /api/reports/{period}?format=json|csv|html&amp;asOf=</c>: recomputes the period (and its PeriodStats rows) and returns the report.</item>
/// </list>
/// </remarks>
public sealed partial class ReportingApi(
    MonitorStorage storage,
    RequestStore requests,
    RequestEventStore requestEvents,
    AlertStore alertStore,
    ReportService reports,
    MonitorConfiguration configuration,
    IClock clock)
{
    /// <summary>The query parameter that carries the function key; hosts read it, the API ignores it.</summary>
    public const string KeyParameter = "code";

    public const int MaxIdLength = 200;
    public const int MaxAlertRangeDays = 366;
    private static readonly string[] Statuses = [.. RequestStatuses.All];
    private static readonly string[] Formats = ["json", "csv", "html"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartyPattern();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    public async Task<ApiResponse> HandleAsync(string method, string path, string? queryString, CancellationToken cancellationToken)
    {
        if (!string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResponse.Error(405, $"method {method} is not allowed: the reporting API is read-only (GET)");
        }
        if (!TryParseQuery(queryString, out var query, out var queryError))
        {
            return ApiResponse.Error(400, queryError);
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length < 2 || segments[0] != "api")
        {
            return ApiResponse.Error(404, $"no such resource: {path}");
        }
        try
        {
            return (segments[1], segments.Length) switch
            {
                ("requests", 2) => await RequestsAsync(query, cancellationToken),
                ("requests", 3) => await RequestAsync(segments[2], query, cancellationToken),
                ("alerts", 2) => await AlertsAsync(query, cancellationToken),
                ("reports", 3) => await ReportAsync(segments[2], query, cancellationToken),
                _ => ApiResponse.Error(404, $"no such resource: {path} (try /api/requests, /api/requests/{{id}}, /api/alerts, /api/reports/{{period}})"),
            };
        }
        catch (BadParameterException ex)
        {
            return ApiResponse.Error(400, ex.Message);
        }
    }

    private async Task<ApiResponse> RequestsAsync(Dictionary<string, string> query, CancellationToken cancellationToken)
    {
        Allow(query, "party", "level", "status");
        var party = Party(query);
        var level = Level(query);
        var status = OneOf(query, "status", Statuses);
        var rows = await QueryRequestsAsync(party, level, status, cancellationToken);
        return ApiResponse.Json(new RequestListAnswer(rows.Count, [.. rows.Select(RequestView.From)]), ApiJsonContext.Api.RequestListAnswer);
    }

    /// <summary>The requests of a party, level and status (each optional); the shared query of the API and the CLI.</summary>
    public async Task<List<RequestEntity>> QueryRequestsAsync(string? party, string? level, string? status, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        return await requests.ListAsync(party, level, status, cancellationToken);
    }

    private async Task<ApiResponse> RequestAsync(string id, Dictionary<string, string> query, CancellationToken cancellationToken)
    {
        Allow(query, "asOf");
        if (id.Length is 0 or > MaxIdLength || id.Any(char.IsControl))
        {
            throw new BadParameterException($"id: a request ID has 1 to {MaxIdLength} characters and no control characters");
        }
        var asOf = AsOfParameter(query, "asOf") ?? clock.GetCurrentInstant();
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await requests.FindAsync(id, cancellationToken);
        if (row is null)
        {
            return ApiResponse.Error(404, $"no request with ID {Quote(id)}");
        }
        var events = await requestEvents.AllAsync(id, cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var assessment = RequestAssessment.Assess(row, events, config, asOf);
        var clocks = assessment.Clocks;
        return ApiResponse.Json(
            new RequestDetailAnswer(
                asOf.ToDateTimeOffset(),
                RequestView.From(row),
                ClockLevels.Name(clocks.LevelAt(asOf)),
                [.. clocks.All.Select(c => new ClockView(
                    ReportService.ClockName(c.Kind),
                    ClockLevels.Name(c.LevelAt(asOf)),
                    c.ExplainLevelAt(asOf),
                    c.CalendarName,
                    c.Target.TotalHours,
                    c.Cycle,
                    c.DueAt?.ToDateTimeOffset(),
                    c.EscalateAt?.ToDateTimeOffset(),
                    c.MetAt?.ToDateTimeOffset(),
                    c.Explanation))],
                new QualityView(assessment.Quality.Score, assessment.Quality.Reasons),
                [.. events.Where(e => e.OccurredAt <= asOf.ToDateTimeOffset()).Select(TimelineEntryView.From)]),
            ApiJsonContext.Api.RequestDetailAnswer);
    }

    private async Task<ApiResponse> AlertsAsync(Dictionary<string, string> query, CancellationToken cancellationToken)
    {
        Allow(query, "from", "to");
        var to = Bound(query, "to", endOfDay: true) ?? clock.GetCurrentInstant();
        var from = Bound(query, "from", endOfDay: false) ?? to - Duration.FromDays(30);
        if (from >= to)
        {
            throw new BadParameterException($"from ({Format(from)}) must be before to ({Format(to)})");
        }
        if (to - from > Duration.FromDays(MaxAlertRangeDays))
        {
            throw new BadParameterException($"from..to spans {(to - from).TotalDays:0.#} days; at most {MaxAlertRangeDays} are allowed");
        }
        await storage.EnsureCreatedAsync(cancellationToken);
        var alerts = await alertStore.ReachedAsync(from, to, cancellationToken);
        var views = alerts.OrderBy(a => a.ReachedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).Select(AlertView.From);
        return ApiResponse.Json(new AlertListAnswer(from.ToDateTimeOffset(), to.ToDateTimeOffset(), alerts.Count, [.. views]), ApiJsonContext.Api.AlertListAnswer);
    }

    private async Task<ApiResponse> ReportAsync(string periodText, Dictionary<string, string> query, CancellationToken cancellationToken)
    {
        Allow(query, "format", "asOf");
        if (!ReportPeriod.TryParse(periodText, out var period, out var error))
        {
            throw new BadParameterException($"period: {error}");
        }
        var format = OneOf(query, "format", Formats) ?? "json";
        var asOf = AsOfParameter(query, "asOf") ?? clock.GetCurrentInstant();
        var report = await reports.ComputeAsync(period, asOf, cancellationToken);
        await reports.SaveStatsAsync(report, cancellationToken);
        return format switch
        {
            "csv" => new ApiResponse(200, ApiResponse.CsvType, ReportFormats.StatsToCsv(report)),
            "html" => new ApiResponse(200, ApiResponse.HtmlType, ReviewPackHtml.Render(report)),
            _ => new ApiResponse(200, ApiResponse.JsonType, ReportFormats.ToJson(report)),
        };
    }

    // ---- parameters -------------------------------------------------------------------------------------------

    /// <summary>Parses a query string ("?a=1&amp;b=2"); a parameter given twice is an error, not a silent choice.</summary>
    public static bool TryParseQuery(string? queryString, out Dictionary<string, string> query, out string error)
    {
        query = new Dictionary<string, string>(StringComparer.Ordinal);
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
            if (name == KeyParameter)
            {
                continue;
            }
            if (!query.TryAdd(name, value))
            {
                error = $"{name}: the parameter is given more than once";
                return false;
            }
        }
        return true;
    }

    private static void Allow(Dictionary<string, string> query, params string[] known)
    {
        foreach (var name in query.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new BadParameterException($"{name}: unknown parameter (this resource takes {(known.Length == 0 ? "none" : string.Join(", ", known))})");
            }
        }
    }

    private static string? Party(Dictionary<string, string> query)
    {
        if (!query.TryGetValue("party", out var party) || party.Length == 0)
        {
            return null;
        }
        return PartyPattern().IsMatch(party)
            ? party.ToUpperInvariant()
            : throw new BadParameterException($"party: {Quote(party)} is not a party code (letters, digits, '-' or '_', at most 32, e.g. CN)");
    }

    private static string? Level(Dictionary<string, string> query)
    {
        if (!query.TryGetValue("level", out var text) || text.Length == 0)
        {
            return null;
        }
        return ClockLevels.TryParse(text, out var level) && !text.Any(char.IsWhiteSpace)
            ? ClockLevels.Name(level)
            : throw new BadParameterException($"level: {Quote(text)} is not a level ({string.Join(", ", Enum.GetValues<ClockLevel>().Select(ClockLevels.Name))})");
    }

    private static string? OneOf(Dictionary<string, string> query, string name, string[] allowed)
    {
        if (!query.TryGetValue(name, out var text) || text.Length == 0)
        {
            return null;
        }
        var value = text.ToLowerInvariant();
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new BadParameterException($"{name}: {Quote(text)} is not one of {string.Join(", ", allowed)}");
    }

    private static Instant? AsOfParameter(Dictionary<string, string> query, string name)
    {
        if (!query.TryGetValue(name, out var text) || text.Length == 0)
        {
            return null;
        }
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text);
        return parsed.Success
            ? parsed.Value.ToInstant()
            : throw new BadParameterException($"{name}: {Quote(text)} is not an ISO-8601 instant with an offset (e.g. 2026-11-20T09:00:00Z)");
    }

    /// <summary>A range bound: an instant with an offset, or a date (UTC) meaning its start (from) or its end (to).</summary>
    private static Instant? Bound(Dictionary<string, string> query, string name, bool endOfDay)
    {
        if (!query.TryGetValue(name, out var text) || text.Length == 0)
        {
            return null;
        }
        if (DatePattern().IsMatch(text))
        {
            var date = LocalDatePattern.Iso.Parse(text);
            if (!date.Success)
            {
                throw new BadParameterException($"{name}: {Quote(text)} is not a valid date");
            }
            var day = endOfDay ? date.Value.PlusDays(1) : date.Value;
            return day.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        }
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text);
        return parsed.Success
            ? parsed.Value.ToInstant()
            : throw new BadParameterException($"{name}: {Quote(text)} is not a date (2026-11-20) or an ISO-8601 instant with an offset (2026-11-20T09:00:00Z)");
    }

    /// <summary>A user value inside an error message, in double quotes (JSON string syntax, so it cannot break the message apart).</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value, ApiJsonContext.Api.String);

    private static string Format(Instant instant) => InstantPattern.General.Format(instant);

    private sealed class BadParameterException(string message) : Exception(message);
}
