using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>
/// The public surface against a real Azurite: push a register and a feed, run the local host once, and read the
/// tables back with a plain TableClient, as a reporting tool would.
/// </summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    public const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        T-100,US,CN,investigation,high,2026-11-16T09:00:00+08:00,First request,hxxp://bad[.]cn/x ; 10.20.0.0/16
        T-200,CN,US,information,medium,2026-11-17T10:00:00-05:00,Second request,evil-host.cn
        """;

    // Source folder liaison-cn maps to CN (config/sources.json); an empty reporter falls back to it.
    public const string Feed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        R1,2026-11-16T10:00:00+08:00,,acknowledgement,T-100,,Received
        R2,2026-11-18T12:00:00Z,US,status-update, T-200 ; T-100 ,,Two references
        R3,2026-11-18T00:00:00Z,cert-x,indicator,,10.20.3.4; sub.evil-host.cn,Sightings
        R4,2026-11-18T01:00:00Z,CN,response,,hxxp://bad[.]cn/x,Answer
        R5,2026-11-18T02:00:00Z,CN,indicator,,8.8.8.8 ; 192.0.2.1,Noise
        """;

    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 18, 12, 0);
    private readonly TestStorage _test = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task Register_and_feed_produce_the_exact_rows()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison-cn");

        var summary = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Empty(summary.Failures);
        Assert.Equal(["processed", "processed"], summary.Feeds.Select(f => f.Outcome));

        var matches = await _test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable);
        Assert.Equal(
            [
                "T-100 R1 reference T-100",
                "T-100 R2 reference T-100",
                "T-100 R3 cidr ip:10.20.3.4 <- cidr:10.20.0.0/16",
                "T-100 R4 exact url:http://bad.cn/x <- url:http://bad.cn/x",
                "T-200 R2 reference T-200",
                "T-200 R3 subdomain domain:sub.evil-host.cn <- domain:evil-host.cn",
            ],
            matches.Select(Describe).Order(StringComparer.Ordinal));

        // RequestEvents holds the records that move a clock; R3, related activity, is stored once, in Matches.
        var events = await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable);
        static string DescribeEvent(RequestEventEntity e) => $"{e.RequestId} {e.RecordId} {e.Kind} {e.Effect} {e.ReporterParty ?? "-"} {e.OccurredAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
        Assert.Equal(
            [
                "T-100 R1 acknowledgement timeline CN 2026-11-16T02:00:00Z",
                "T-100 R2 status-update timeline US 2026-11-18T12:00:00Z",
                "T-100 R4 response timeline CN 2026-11-18T01:00:00Z",
                "T-200 R2 status-update timeline US 2026-11-18T12:00:00Z",
            ],
            events.Select(DescribeEvent).Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.False(e.Pending));

        // The timeline the API and explain show merges both tables: the same entries as when every match had an event row.
        var timelines = _test.Services.GetRequiredService<RequestTimeline>();
        var t100 = await timelines.ReadAsync("T-100", CancellationToken.None);
        Assert.Equal(
            [
                "T-100 R2 status-update timeline US 2026-11-18T12:00:00Z",
                "T-100 R4 response timeline CN 2026-11-18T01:00:00Z",
                "T-100 R3 indicator related-activity - 2026-11-18T00:00:00Z",
                "T-100 R1 acknowledgement timeline CN 2026-11-16T02:00:00Z",
            ],
            t100.Select(DescribeEvent));
        var related = Assert.Single(t100, e => e.RecordId == "R3");
        Assert.Equal(("cidr", "liaison-cn", RequestEventStore.RowKeyOf(related.OccurredAt, "liaison-cn", "R3")), (related.MatchTypes, related.Source, related.RowKey));
        Assert.Equal(["T-200 R2 status-update timeline US 2026-11-18T12:00:00Z", "T-200 R3 indicator related-activity - 2026-11-18T00:00:00Z"],
            (await timelines.ReadAsync("T-200", CancellationToken.None)).Select(DescribeEvent));

        var requests = (await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).OrderBy(r => r.RequestId).ToList();
        Assert.Equal(["CN|T-100", "US|T-200"], requests.Select(r => $"{r.PartitionKey}|{r.RowKey}"));
        var first = requests[0];
        Assert.Equal("url:http://bad.cn/x\ncidr:10.20.0.0/16", first.Indicators);
        // CN calendar: Mon 2026-11-16 09:00 +08 + 1 working day (8 h) = 17:00 +08 = 09:00Z; acknowledged 10:00 +08.
        Assert.Equal(DateTimeOffset.Parse("2026-11-16T09:00:00Z"), first.AckDueAt);
        Assert.Equal(DateTimeOffset.Parse("2026-11-16T02:00:00Z"), first.AckMetAt);
        Assert.Equal("met", first.AckLevel);
        // 5 working days from Mon 09:00 +08 = Fri 2026-11-20 17:00 +08 = 09:00Z; answered 2026-11-18T01:00Z.
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T09:00:00Z"), first.ResponseDueAt);
        Assert.Equal("met", first.ResponseLevel);
        var second = requests[1];
        // US calendar: Tue 2026-11-17 10:00 EST + 16 working hours: 7 h Tue, 8 h Wed, 1 h Thu = Thu 10:00 EST = 15:00Z.
        Assert.Equal(DateTimeOffset.Parse("2026-11-19T15:00:00Z"), second.AckDueAt);
        Assert.Equal("pending", second.AckLevel);

        var runs = await _test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable);
        var feedRun = Assert.Single(runs, r => r.FeedKind == "incidents");
        Assert.Equal(("liaison-cn", "csv", 5, 4, 6, 6, 0), (feedRun.Source, feedRun.Format, feedRun.Records, feedRun.MatchedRecords, feedRun.Matches, feedRun.Events, feedRun.Rejects));
        var registerRun = Assert.Single(runs, r => r.FeedKind == "requests");
        Assert.Equal(("requests", 2, 0), (registerRun.Source, registerRun.Records, registerRun.Rejects));
    }

    [Fact]
    public async Task Pushing_the_same_files_again_and_rerunning_changes_no_rows()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison-cn");
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        var before = await SnapshotAsync();

        // The same content again: under the same names (new blob versions) and under another name.
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison-cn");
        await _test.PushAsync("feed-copy.csv", Feed, FeedKind.Incidents, "liaison-cn");
        var second = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        var third = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Equal(["duplicate", "duplicate", "duplicate"], second.Feeds.Select(f => f.Outcome));
        Assert.Empty(third.Feeds);
        Assert.Empty(second.Sweep.Alerts);
        Assert.Equal(before, await SnapshotAsync());
        var runs = await _test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable);
        Assert.Equal(5, runs.Count);
        Assert.Equal(2, runs.Count(r => r.Outcome == "processed"));
    }

    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        foreach (var m in await _test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable))
        {
            lines.Add($"M {m.PartitionKey}|{m.RowKey} {Describe(m)}");
        }
        foreach (var e in await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable))
        {
            lines.Add($"E {e.PartitionKey}|{e.RowKey} {e.Kind} {e.Effect} {e.OccurredAt:O}");
        }
        foreach (var r in await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable))
        {
            lines.Add($"R {r.PartitionKey}|{r.RowKey} {r.AckLevel} {r.AckDueAt:O} {r.ResponseLevel} {r.UpdateLevel} {r.Level} {r.Indicators}");
        }
        foreach (var a in await _test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable))
        {
            lines.Add($"A {a.PartitionKey}|{a.RowKey}");
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    private static string Describe(MatchEntity m) =>
        m.MatchType == "reference" ? $"{m.RequestId} {m.RecordId} {m.MatchType} {m.Indicator}" : $"{m.RequestId} {m.RecordId} {m.MatchType} {m.Indicator} <- {m.RequestIndicator}";
}
