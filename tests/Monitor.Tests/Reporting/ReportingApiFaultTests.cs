using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Reporting;

/// <summary>What a new user tripped over in the reporting API: a request without a calendar, and a GET that wrote PeriodStats.</summary>
public sealed class ReportingApiFaultTests : IAsyncLifetime
{
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 25, 12, 0);
    private readonly TestStorage _test = new(AsOf);

    private ReportingApi Api => _test.Services.GetRequiredService<ReportingApi>();

    public async Task InitializeAsync()
    {
        await _test.PushAsync("register.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            REQ-1,US,CN,investigation,high,2026-11-16T10:00:00-05:00,fine,
            """, FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _test.DisposeAsync();

    /// <summary>Before: 500, because the clock engine threw for the party without a calendar.</summary>
    [Fact]
    public async Task A_request_whose_party_has_no_calendar_is_answered_with_the_reason_instead_of_500()
    {
        await _test.PushAsync("register-ru.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            REQ-2,US,RU,investigation,high,2026-11-16T10:00:00-05:00,no calendar for RU,
            """, FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var answer = await Api.HandleAsync("GET", "/api/requests/REQ-2", CancellationToken.None);

        Assert.Equal(200, answer.Status);
        using var json = JsonDocument.Parse(answer.Body);
        var root = json.RootElement;
        Assert.Equal("REQ-2", root.GetProperty("request").GetProperty("requestId").GetString());
        Assert.Equal("not-evaluated", root.GetProperty("level").GetString());
        Assert.Equal(0, root.GetProperty("clocks").GetArrayLength());
        Assert.Equal("request REQ-2 could not be evaluated: request REQ-2: the acknowledgement clock needs the calendar of party 'RU', and there is none",
            root.GetProperty("notEvaluated").GetString());

        // An evaluable request's answer has no such property.
        using var fine = JsonDocument.Parse((await Api.HandleAsync("GET", "/api/requests/REQ-1", CancellationToken.None)).Body);
        Assert.False(fine.RootElement.TryGetProperty("notEvaluated", out _));
    }

    /// <summary>Before: every GET replaced the period's PeriodStats rows.</summary>
    [Fact]
    public async Task A_report_with_a_request_whose_party_has_no_calendar_names_it_instead_of_500()
    {
        await _test.PushAsync("register-ru.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            REQ-2,US,RU,investigation,high,2026-11-16T10:00:00-05:00,no calendar for RU,
            """, FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var answer = await Api.HandleAsync("GET", "/api/reports/2026-Q4", CancellationToken.None);

        Assert.Equal(200, answer.Status);
        using var json = JsonDocument.Parse(answer.Body);
        var skipped = Assert.Single(json.RootElement.GetProperty("unevaluated").EnumerateArray().ToList());
        Assert.Equal("REQ-2", skipped.GetProperty("requestId").GetString());
        Assert.Contains("calendar of party 'RU'", skipped.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_report_GET_writes_nothing_and_a_POST_recomputes_PeriodStats()
    {
        await _test.PushAsync("register-2.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            REQ-3,US,CN,evidence,low,2026-11-17T10:00:00-05:00,fine,
            """, FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        var before = await TableSnapshot.TakeAsync(_test);

        var get = await Api.HandleAsync("GET", "/api/reports/2026-Q4?format=csv", CancellationToken.None);
        Assert.Equal(200, get.Status);
        Assert.Empty(await _test.ReadAllAsync<Monitor.Core.Reporting.PeriodStatsEntity>(StorageNames.PeriodStatsTable));
        Assert.Equal(before, await TableSnapshot.TakeAsync(_test));

        var post = await Api.HandleAsync("POST", "/api/reports/2026-Q4?format=csv", CancellationToken.None);
        Assert.Equal((200, get.Body), (post.Status, post.Body));
        Assert.Equal(["CN|evidence|low", "CN|investigation|high"],
            (await _test.ReadAllAsync<Monitor.Core.Reporting.PeriodStatsEntity>(StorageNames.PeriodStatsTable)).Select(s => s.RowKey).Order(StringComparer.Ordinal));

        // Every other route is still GET only.
        Assert.Equal(405, (await Api.HandleAsync("POST", "/api/requests", CancellationToken.None)).Status);
        Assert.Equal(405, (await Api.HandleAsync("DELETE", "/api/reports/2026-Q4", CancellationToken.None)).Status);
    }
}
