using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Reporting;

/// <summary>An answer of the reporting API: status code, content type and body.</summary>
/// <param name="Bytes">A binary body (the PDF) instead of <paramref name="Body"/>; hosts write it when it is there.</param>
public sealed record ApiResponse(int Status, string ContentType, string Body, IReadOnlyList<(string Name, string Value)>? More = null, byte[]? Bytes = null)
{
    public const string JsonType = "application/json; charset=utf-8";
    public const string PdfType = "application/pdf";
    public const string CsvType = "text/csv; charset=utf-8";
    public const string HtmlType = "text/html; charset=utf-8";

    /// <summary>The headers every host sends: the content type, nosniff so that a browser never reinterprets a body, and the answer's own (<see cref="More"/>).</summary>
    public IEnumerable<(string Name, string Value)> Headers => [("Content-Type", ContentType), ("X-Content-Type-Options", "nosniff"), .. More ?? []];

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
/// <item><c>GET /api/reports/{period}?format=json|csv|html|pdf&amp;asOf=&amp;lang=&amp;file=</c>: computes the period's report (writes nothing) and returns it, one of its CSV files or the HTML pack; pdf returns the PDF stored by the last `monitor report`.</item>
/// <item><c>POST /api/reports/{period}</c>: the same, and replaces the period's PeriodStats rows.</item>
/// <item><c>GET /api/pulls?source=</c>: each pulled source's last pull, cursor and last error.</item>
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
    PullStateStore pullStates,
    AlertDeliveryStore deliveries,
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

    /// <summary>The level of a request whose clocks cannot be computed (see <see cref="RequestDetailAnswer.NotEvaluated"/>).</summary>
    public const string NotEvaluatedLevel = "not-evaluated";
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
            if (query.Format == ReportFormat.Pdf)
            {
                return await api.StoredPdfAsync(query.Period, ct) is { } pdf
                    ? new ApiResponse(200, ApiResponse.PdfType, "", Bytes: pdf)
                    : ApiResponse.Error(404, $"no PDF stored for {query.Period.Name}: `monitor report {query.Period.Name} --out DIR` prints it and stores it in {ReportService.PackFolder}{query.Period.Name}/");
            }
            return Render(query, await api.ReportAsync(query, ct));
        }),
        new(ApiRoutes.Board, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.BoardAsync(BoardQuery.Parse(parameters), ct), ApiJsonContext.Api.BoardAnswer)),
        new(ApiRoutes.Feeds, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.FeedsAsync(FeedsQuery.Parse(parameters), ct), ApiJsonContext.Api.FeedsAnswer)),
        new(ApiRoutes.Pulls, static async (api, _, parameters, ct) =>
            ApiResponse.Json(await api.PullsAsync(PullsQuery.Parse(parameters), ct), ApiJsonContext.Api.PullListAnswer)),
        new(ApiRoutes.Report, static async (api, values, parameters, ct) =>
        {
            var query = ReportQuery.Parse(values["period"], parameters);
            return Render(query, await api.RecomputeReportAsync(query, ct));
        }, "POST"),
    ];

    private static readonly string RouteList = string.Join(", ", Routes.Select(r => $"/{ApiRoutes.Prefix}/{r.Template}").Distinct());

    private static ApiResponse Render(ReportQuery query, ReviewReport report) => query.Format switch
    {
        ReportFormat.Csv => new ApiResponse(200, ApiResponse.CsvType, ReportFormats.Csv(report, query.File)),
        ReportFormat.Html => new ApiResponse(200, ApiResponse.HtmlType, ReviewPackHtml.Render(report, query.Language)),
        _ => new ApiResponse(200, ApiResponse.JsonType, ReportFormats.ToJson(report)),
    };

    /// <summary>Answers one call; <paramref name="target"/> is the raw path and query, still percent-encoded (each path segment is decoded here).</summary>
    public async Task<ApiResponse> HandleAsync(string method, string target, CancellationToken cancellationToken)
    {
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        if (!ApiParameters.TryParse(question < 0 ? null : target[question..], out var parameters, out var queryError))
        {
            return ApiResponse.Error(400, queryError);
        }
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length < 2 || segments[0] != ApiRoutes.Prefix)
        {
            return ApiResponse.Error(404, $"no such resource: {path}");
        }
        var pathMatched = false;
        foreach (var route in Routes)
        {
            if (route.Match(segments.AsSpan(1)) is not { } values)
            {
                continue;
            }
            pathMatched = true;
            if (!string.Equals(method, route.Method, StringComparison.OrdinalIgnoreCase))
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
        if (pathMatched || !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResponse.Error(405, $"method {method} is not allowed: the reporting API is read-only (GET), except POST /{ApiRoutes.Prefix}/{ApiRoutes.Report}, which recomputes the period's PeriodStats");
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
        var config = await configuration.LoadAsync(cancellationToken);
        var matchRows = await matches.ForRequestAsync(query.Id, cancellationToken);
        var events = RequestTimeline.Merge(await requestEvents.AllAsync(query.Id, cancellationToken), matchRows);
        var alerts = await alertStore.ForRequestAsync(query.Id, Instant.FromDateTimeOffset(row.SubmittedAt), asOf + Duration.Epsilon, cancellationToken);
        RequestAssessment assessment;
        try
        {
            assessment = RequestAssessment.Assess(row, events, config, asOf);
        }
        catch (SlaConfigurationException ex)
        {
            // One request's configuration problem (no calendar for its party, no policy rule): answer what is known and why
            // its clocks are not, as the digest does, instead of failing the call.
            var quality = QualityRubric.Score(row, events, asOf);
            return new RequestDetailAnswer(asOf.ToDateTimeOffset(), RequestView.From(row), NotEvaluatedLevel, [],
                new QualityView(quality.Score, quality.Reasons),
                [.. events.Where(e => e.OccurredAt <= asOf.ToDateTimeOffset()).Select(TimelineEntryView.From)],
                [.. matchRows.Where(m => m.RecordTime is not { } t || t <= asOf.ToDateTimeOffset()).Select(MatchView.From)],
                Zones(config, [row.RequestingParty, row.RespondingParty]),
                [.. alerts.Where(a => a.ReachedAt <= asOf.ToDateTimeOffset()).OrderBy(a => a.ReachedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).Select(AlertView.From)])
            {
                NotEvaluated = $"request {row.RequestId} could not be evaluated: {ex.Message}",
            };
        }
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
            [.. alerts.Where(a => a.ReachedAt <= asOf.ToDateTimeOffset()).OrderBy(a => a.ReachedAt).ThenBy(a => a.AlertId, StringComparer.Ordinal).Select(AlertView.From)])
        {
            Deliveries = [.. (await deliveries.ForRequestAsync(row.RequestId, cancellationToken))
                .OrderBy(d => d.PartitionKey, StringComparer.Ordinal).ThenBy(d => d.RowKey, StringComparer.Ordinal).Select(DeliveryView.From)],
        };
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

    /// <summary>The period's report at the query's instant (default now), computed from the tables: a GET writes nothing.</summary>
    public Task<ReviewReport> ReportAsync(ReportQuery query, CancellationToken cancellationToken) =>
        reports.ComputeAsync(query.Period, query.AsOf ?? Now, cancellationToken);

    /// <summary><c>POST /api/reports/{period}</c>: the report, and its PeriodStats rows replaced (as `monitor report` does).</summary>
    public async Task<ReviewReport> RecomputeReportAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var report = await ReportAsync(query, cancellationToken);
        await reports.SaveStatsAsync(report, cancellationToken);
        return report;
    }

    /// <summary>
    /// The PullState of every source that sources.json gives a pull block (those never pulled yet with only their
    /// configuration), and of sources pulled before that are no longer configured, by source name.
    /// </summary>
    public async Task<PullListAnswer> PullsAsync(PullsQuery query, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var configured = (await configuration.LoadAsync(cancellationToken)).Sources.Sources.Where(s => s.Pull is not null)
            .ToDictionary(s => s.Name.ToLowerInvariant(), s => s.Pull!, StringComparer.Ordinal);
        var states = (await pullStates.SourcesAsync(cancellationToken)).ToDictionary(s => s.Source, StringComparer.Ordinal);
        var views = configured.Keys.Union(states.Keys)
            .Where(name => query.Source is null || name == query.Source)
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                var pull = configured.GetValueOrDefault(name);
                var state = states.GetValueOrDefault(name) ?? new PullStateEntity { Source = name, Kind = pull!.KindName, Url = pull.Url.GetLeftPart(UriPartial.Path) };
                return PullStateView.From(state, pull?.Schedule);
            })
            .ToList();
        return new PullListAnswer(views.Count, views);
    }

    /// <summary>The PDF of the period's stored pack (printed by the last `monitor report`), or null when none was stored.</summary>
    public Task<byte[]?> StoredPdfAsync(ReportPeriod period, CancellationToken cancellationToken) =>
        reports.ReadPackFileAsync(period.Name, ReportFormats.PdfFile, cancellationToken);

    internal Instant Now => clock.GetCurrentInstant();
}
