using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Reporting;

/// <summary>An answer of the reporting API: status code, content type and body.</summary>
public sealed record ApiResponse(int Status, string ContentType, string Body)
{
    public const string JsonType = "application/json; charset=utf-8";
    public const string CsvType = "text/csv; charset=utf-8";
    public const string HtmlType = "text/html; charset=utf-8";

    /// <summary>The headers every host sends: the content type, and nosniff so that a browser never reinterprets a body.</summary>
    public IEnumerable<(string Name, string Value)> Headers => [("Content-Type", ContentType), ("X-Content-Type-Options", "nosniff")];

    public static ApiResponse Json<T>(T value, JsonTypeInfo<T> type, int status = 200) => new(status, JsonType, JsonSerializer.Serialize(value, type));

    public static ApiResponse Error(int status, string message) => Json(new ApiError(message, status), ApiJsonContext.Api.ApiError, status);
}

/// <summary>
/// The reporting HTTP API, host-independent: (method, raw target) in, (status, content type, body) out. The
/// HTTP-triggered functions and `monitor serve` both call <see cref="HandleAsync"/>, so they answer identically;
/// authentication (the function key) is the host's job. Every parameter is validated into the route's typed query
/// before anything is read, and a bad one gets a 400 that names it. Values reach table filters only through the stores,
/// which build them with <c>TableClient.CreateQueryFilter</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>GET /api/requests?party=&amp;level=&amp;status=</c>: the requests with their clock columns.</item>
/// <item><c>GET /api/requests/{id}</c>: the row, its timeline (newest first), each clock's explanation and the quality score's reasons.</item>
/// <item><c>GET /api/alerts?from=&amp;to=</c>: the alerts whose level was reached in [from, to).</item>
/// <item><c>GET /api/reports/{period}?format=json|csv|html&amp;asOf=</c>: recomputes the period (and its PeriodStats rows) and returns the report.</item>
/// <item><c>GET /api/board?party=&amp;level=&amp;category=&amp;priority=&amp;sort=due|id</c>: the open requests with their clocks as the last sweep stored them, and the time left.</item>
/// <item><c>GET /api/feeds?source=&amp;limit=</c>: the newest feed runs with their rejects and warnings, and the quarantine.</item>
/// </list>
/// </remarks>
public sealed class ReportingApi(
    MonitorStorage storage,
    RequestStore requests,
    RequestEventStore requestEvents,
    MatchStore matches,
    AlertStore alertStore,
    FeedRunStore feedRuns,
    RejectStore rejects,
    ReportService reports,
    MonitorConfiguration configuration,
    IClock clock)
{
    /// <summary>The query parameter that carries the function key; hosts read it, the API ignores it.</summary>
    public const string KeyParameter = "code";

    public const int MaxIdLength = 200;
    public const int MaxAlertRangeDays = 366;

    /// <summary>The most rejects and warnings <c>GET /api/feeds</c> lists per run (the run's counts give the totals).</summary>
    public const int MaxProblemsPerRun = 100;

    /// <summary>The routes, in the order the 404 answer lists them.</summary>
    private static readonly ApiRoute[] Routes =
    [
        new(ApiRoutes.Requests, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.RequestsAsync(RequestsQuery.Parse(parameters), ct), ApiJsonContext.Api.RequestListAnswer)),
        new(ApiRoutes.Request, static async (api, values, parameters, ct) =>
        {
            var query = RequestQuery.Parse(values["id"], parameters);
            return await api.RequestAsync(query, ct) is { } answer
                ? ApiResponse.Json(answer, ApiJsonContext.Api.RequestDetailAnswer)
                : ApiResponse.Error(404, $"no request with ID {ApiParameters.Quote(query.Id)}");
        }),
        new(ApiRoutes.Alerts, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.AlertsAsync(AlertsQuery.Parse(parameters, api.Now), ct), ApiJsonContext.Api.AlertListAnswer)),
        new(ApiRoutes.Report, static async (api, values, parameters, ct) =>
        {
            var query = ReportQuery.Parse(values["period"], parameters);
            var report = await api.ReportAsync(query, ct);
            return query.Format switch
            {
                ReportFormat.Csv => new ApiResponse(200, ApiResponse.CsvType, ReportFormats.StatsToCsv(report)),
                ReportFormat.Html => new ApiResponse(200, ApiResponse.HtmlType, ReviewPackHtml.Render(report)),
                _ => new ApiResponse(200, ApiResponse.JsonType, ReportFormats.ToJson(report)),
            };
        }),
        new(ApiRoutes.Board, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.BoardAsync(BoardQuery.Parse(parameters), ct), ApiJsonContext.Api.BoardAnswer)),
        new(ApiRoutes.Feeds, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.FeedsAsync(FeedsQuery.Parse(parameters), ct), ApiJsonContext.Api.FeedsAnswer)),
    ];

    private static readonly string RouteList = string.Join(", ", Routes.Select(r => $"/{ApiRoutes.Prefix}/{r.Template}"));

    /// <summary>Answers one call; <paramref name="target"/> is the raw path and query, still percent-encoded (each path segment is decoded here).</summary>
    public async Task<ApiResponse> HandleAsync(string method, string target, CancellationToken cancellationToken)
    {
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        if (!string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResponse.Error(405, $"method {method} is not allowed: the reporting API is read-only (GET)");
        }
        if (!ApiParameters.TryParse(question < 0 ? null : target[question..], out var parameters, out var queryError))
        {
            return ApiResponse.Error(400, queryError);
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length < 2 || segments[0] != ApiRoutes.Prefix)
        {
            return ApiResponse.Error(404, $"no such resource: {path}");
        }
        foreach (var route in Routes)
        {
            if (route.Match(segments.AsSpan(1)) is not { } values)
            {
                continue;
            }
            try
            {
                return await route.Answer(this, values, parameters, cancellationToken);
            }
            catch (ApiParameterException ex)
            {
                return ApiResponse.Error(400, ex.Message);
            }
        }
        return ApiResponse.Error(404, $"no such resource: {path} (try {RouteList})");
    }

    /// <summary>The requests of a party, level and status (each optional), by request ID.</summary>
    public async Task<RequestListAnswer> RequestsAsync(RequestsQuery query, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var rows = await requests.ListAsync(query.Party, query.Level, query.Status, cancellationToken);
        return new RequestListAnswer(rows.Count, [.. rows.Select(RequestView.From)]);
    }

    /// <summary>One request evaluated at the query's instant (default now); null when there is no such request.</summary>
    public async Task<RequestDetailAnswer?> RequestAsync(RequestQuery query, CancellationToken cancellationToken)
    {
        var asOf = query.AsOf ?? Now;
        await storage.EnsureCreatedAsync(cancellationToken);
        var row = await requests.FindAsync(query.Id, cancellationToken);
        if (row is null)
        {
            return null;
        }
        var events = await requestEvents.AllAsync(query.Id, cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var matchRows = await matches.ForRequestAsync(query.Id, cancellationToken);
        var alerts = await alertStore.ForRequestAsync(query.Id, Instant.FromDateTimeOffset(row.SubmittedAt), asOf + Duration.Epsilon, cancellationToken);
        var assessment = RequestAssessment.Assess(row, events, config, asOf);
        var clocks = assessment.Clocks;
        return new RequestDetailAnswer(
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
            [.. events.Where(e => e.OccurredAt <= asOf.ToDateTimeOffset()).Select(TimelineEntryView.From)],
            [.. matchRows.Where(m => m.RecordTime is not { } t || t <= asOf.ToDateTimeOffset()).Select(MatchView.From)],
            Zones(config, [row.RequestingParty, row.RespondingParty]),
            [.. alerts.Where(a => a.ReachedAt <= asOf.ToDateTimeOffset()).OrderBy(a => a.ReachedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).Select(AlertView.From)]);
    }

    /// <summary>
    /// The open requests that pass the query's filters, with each clock's due instant and the time left from now, as the last sweep
    /// stored them: the board reads one table query, not every timeline (`GET /api/requests/{id}` evaluates one request at any instant).
    /// </summary>
    public async Task<BoardAnswer> BoardAsync(BoardQuery query, CancellationToken cancellationToken)
    {
        // Whole seconds: the time left is shown to the minute, and the answer reads better.
        var asOf = Instant.FromUnixTimeSeconds(Now.ToUnixTimeSeconds()).ToDateTimeOffset();
        await storage.EnsureCreatedAsync(cancellationToken);
        var open = await requests.ListAsync(null, null, RequestStatuses.Open, cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var entries = open
            .Where(r => (query.Party is null || string.Equals(r.RespondingParty, query.Party, StringComparison.OrdinalIgnoreCase))
                && (query.Level is null || r.Level == query.Level)
                && (query.Category is null || r.Category == query.Category)
                && (query.Priority is null || r.Priority == query.Priority))
            .Select(r => BoardEntry(r, asOf));
        entries = query.Sort == BoardSort.Due
            ? entries.OrderBy(e => e.NextDueAt is null).ThenBy(e => e.NextDueAt).ThenBy(e => e.RequestId, StringComparer.Ordinal)
            : entries.OrderBy(e => e.RequestId, StringComparer.Ordinal);
        var list = entries.ToList();
        var parties = open.SelectMany(r => new[] { r.RespondingParty, r.RequestingParty }).Concat(config.Calendars.Keys)
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        return new BoardAnswer(
            asOf, list.Count, open.Count, parties,
            [.. open.Select(r => r.Category).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Zones(config, parties), list);
    }

    private static BoardEntryView BoardEntry(RequestEntity r, DateTimeOffset asOf)
    {
        BoardClockView[] clocks =
        [
            Clock(ClockKind.Acknowledgement, r.AckLevel, r.AckDueAt),
            Clock(ClockKind.Response, r.ResponseLevel, r.ResponseDueAt),
            Clock(ClockKind.Update, r.UpdateLevel, r.UpdateDueAt),
        ];
        var nextDue = clocks.Where(c => c.SecondsLeft is not null).Select(c => c.DueAt).Min();
        return new BoardEntryView(r.RequestId, r.RequestingParty, r.RespondingParty, r.Category, r.Priority, r.Level, r.Summary, r.SubmittedAt, r.EvaluatedAt, nextDue, clocks);

        BoardClockView Clock(ClockKind kind, string? level, DateTimeOffset? due)
        {
            var running = ClockLevels.TryParse(level, out var parsed) && parsed is ClockLevel.Pending or ClockLevel.AtRisk or ClockLevel.Overdue or ClockLevel.Escalated;
            long? left = running && due is { } d ? (long)Math.Floor((d - asOf).TotalSeconds) : null;
            return new BoardClockView(ReportService.ClockName(kind), level, due, left);
        }
    }

    /// <summary>The newest runs (of one source, or all) with their first rejects and warnings, and every quarantined or poison file.</summary>
    public async Task<FeedsAnswer> FeedsAsync(FeedsQuery query, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var all = await feedRuns.AllAsync(cancellationToken).ToListAsync(cancellationToken);
        var chosen = all.Where(r => query.Source is null || r.Source == query.Source)
            .OrderByDescending(r => r.BlobLastModified).ThenBy(r => r.BlobName, StringComparer.Ordinal).ToList();
        var runs = new List<FeedRunView>();
        foreach (var run in chosen.Take(query.Limit))
        {
            var problems = run.Rejects + run.Warnings > 0 && run.ContentHash is { } hash
                ? await rejects.ForFileAsync(hash, MaxProblemsPerRun, cancellationToken)
                : [];
            runs.Add(FeedRunView.From(run, [.. problems.Select(RejectView.From)]));
        }
        var quarantine = chosen.Where(r => r.Outcome is FeedOutcomes.Quarantined or FeedOutcomes.Poison)
            .Select(r => new QuarantineView(r.Source, r.BlobName, r.Outcome, r.Error ?? "", r.BlobLastModified)).ToList();
        return new FeedsAnswer(runs.Count, chosen.Count, runs, quarantine);
    }

    /// <summary>The IANA time zone of each party that has a calendar.</summary>
    private static SortedDictionary<string, string> Zones(ConfigSnapshot config, IEnumerable<string> parties)
    {
        var zones = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var party in parties)
        {
            if (config.CalendarOf(party) is { } calendar)
            {
                zones[party] = calendar.Zone.Id;
            }
        }
        return zones;
    }

    /// <summary>The alerts reached in the query's range, by instant reached, then alert ID.</summary>
    public async Task<AlertListAnswer> AlertsAsync(AlertsQuery query, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var alerts = await alertStore.ReachedAsync(query.From, query.To, cancellationToken);
        var views = alerts.OrderBy(a => a.ReachedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).Select(AlertView.From);
        return new AlertListAnswer(query.From.ToDateTimeOffset(), query.To.ToDateTimeOffset(), alerts.Count, [.. views]);
    }

    /// <summary>Recomputes the period at the query's instant (default now) and replaces its PeriodStats rows.</summary>
    public async Task<ReviewReport> ReportAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var report = await reports.ComputeAsync(query.Period, query.AsOf ?? Now, cancellationToken);
        await reports.SaveStatsAsync(report, cancellationToken);
        return report;
    }

    internal Instant Now => clock.GetCurrentInstant();
}
