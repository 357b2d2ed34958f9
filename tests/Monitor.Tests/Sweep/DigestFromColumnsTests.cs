using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Benchmarks;
using Monitor.Core.Config;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The digest from the Requests rows' stored columns equals the digest recomputed from every candidate's timeline, and
/// the one recomputed from every request's timeline, on varied data: four parties (a calendar with a horizon warning, an
/// uploaded one, one with no calendar), all three clocks at every attention level, update cycles, pauses, and rows that
/// cannot answer (new events, evaluated after T, a change due by T, written before the columns existed). It reads one
/// query per party and level, and a timeline only for the rows that cannot answer.
/// </summary>
public sealed class DigestFromColumnsTests
{
    private static readonly string[] Parties = ["CN", "US", "GB", "FR"];
    private static readonly string[] Priorities = ["critical", "high", "medium", "low"];
    private static readonly Instant Base = Instant.FromUtc(2026, 12, 18, 0, 0);
    private static readonly Instant S0 = Instant.FromUtc(2026, 12, 30, 0, 0);
    private static readonly Instant S1 = Instant.FromUtc(2027, 1, 4, 6, 0);
    private const int Requests = 64;

    // GB's holidays are listed through 2026 only: its clocks reaching 2027 carry a warning, as CN's do.
    private const string GbCalendar = """
        {"party": "GB", "timeZone": "Europe/London", "listedThrough": 2026,
         "workingHours": {"monday": [{"start": "09:30", "end": "17:30"}], "tuesday": [{"start": "09:30", "end": "17:30"}],
           "wednesday": [{"start": "09:30", "end": "17:30"}], "thursday": [{"start": "09:30", "end": "17:30"}], "friday": [{"start": "09:30", "end": "17:30"}]},
         "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2026-12-28", "name": "Boxing Day (substitute)"}],
         "makeUpWorkingDays": []}
        """;

    [Fact]
    public async Task The_digest_from_stored_columns_equals_the_one_from_timelines_at_every_instant()
    {
        await using var test = new TestStorage(S1);
        var legacy = await ArrangeAsync(test);
        var builder = test.Services.GetRequiredService<DigestBuilder>();
        var config = await test.Services.GetRequiredService<MonitorConfiguration>().LoadAsync(CancellationToken.None);

        var reports = new List<DigestReport>();
        // At the last sweep (new events since), before it (rows evaluated after T), after it (changes due by T).
        foreach (var at in new[] { S1, S0 + Duration.FromHours(12), S1 + Duration.FromHours(30), S1 + Duration.FromDays(9) })
        {
            var stored = await builder.BuildAsync(at, DigestSource.StoredColumns, CancellationToken.None);
            var recomputed = await builder.BuildAsync(at, DigestSource.Timelines, CancellationToken.None);
            AssertSame(recomputed, stored, at);
            await AssertEveryRequestAgreesAsync(test, config, stored);
            Assert.True(stored.TimelinesRead > 0, $"{at}: no row needed its timeline");
            reports.Add(stored);
        }

        // After a sweep at T, the rows answer for T (legacy rows and FR's still read their timeline).
        var after = S1 + Duration.FromDays(9);
        await new SweepTestKit(test).Sweeper.SweepAsync(after, CancellationToken.None);
        var fresh = await builder.BuildAsync(after, CancellationToken.None);
        AssertSame(await builder.BuildAsync(after, DigestSource.Timelines, CancellationToken.None), fresh, after);
        AssertSame(reports[^1], fresh, after);
        // Only FR-HIGH and the legacy rows at an attention level that the sweep did not meet read their timeline.
        Assert.Contains(reports[1].Items, i => i.RequestId == "US-MET" && i.Level == ClockLevel.Overdue);
        var unanswered = (await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).Count(r => r.Level is "at-risk" or "overdue" or "escalated" && r.AckCalendar is null);
        Assert.InRange(unanswered, 1, legacy);
        Assert.Equal(1 + unanswered, fresh.TimelinesRead);
        Assert.True(reports[0].TimelinesRead < (await builder.BuildAsync(S1, DigestSource.Timelines, CancellationToken.None)).TimelinesRead);

        // The data covers what the digest can print.
        var items = reports.SelectMany(r => r.Items).ToList();
        Assert.Equal([ClockLevel.AtRisk, ClockLevel.Overdue, ClockLevel.Escalated], items.Select(i => i.Level).Distinct().Order());
        Assert.Equal([ClockKind.Acknowledgement, ClockKind.Response, ClockKind.Update], items.Select(i => i.Clock).Distinct().Order());
        Assert.Equal(["CN", "FR", "GB", "US"], items.Select(i => i.RespondingParty).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(items, i => i.Clock == ClockKind.Update && i.Cycle > 0);
        Assert.Contains(items, i => i.CalendarWarning?.StartsWith("calendar GB ", StringComparison.Ordinal) == true);
        Assert.Contains(items, i => i.CalendarWarning?.StartsWith("calendar CN ", StringComparison.Ordinal) == true);
        Assert.Contains(items, i => i.Late != i.LateWorking);

        // The level sentences on the rows are those of `monitor explain` at the instant the row was evaluated.
        var explainer = test.Services.GetRequiredService<RequestExplainer>();
        foreach (var row in (await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).Where(r => r.AckCalendar is not null))
        {
            var explained = await explainer.ExplainAsync(row.RequestId, Instant.FromDateTimeOffset(row.EvaluatedAt!.Value), CancellationToken.None);
            Assert.Equal(explained!.ClockExplanations.Select(c => c.Why), [row.AckWhy, row.ResponseWhy, row.UpdateWhy]);
            Assert.Equal(explained.ClockExplanations.Select(c => c.Clock.CalendarName), [row.AckCalendar, row.ResponseCalendar, row.UpdateCalendar]);
        }
        Assert.Contains(reports.SelectMany(r => r.Problems), p => p.RespondingParty == "FR");
    }

    [Fact]
    public async Task The_digest_reads_one_query_per_party_and_level_and_timelines_only_for_rows_that_cannot_answer()
    {
        var counter = new StorageOperationCounter();
        await using var test = new TestStorage(S1, configure: services => services.AddSingleton<IStoragePolicyProvider>(counter));
        await ArrangeAsync(test, legacyRows: false, laterEvents: false);
        var builder = test.Services.GetRequiredService<DigestBuilder>();
        await builder.BuildAsync(S1, CancellationToken.None);

        // Nothing stale but FR's request with no calendar (its schedule entry stays until the configuration has it).
        var before = counter.Snapshot();
        var report = await builder.BuildAsync(S1, CancellationToken.None);
        var counts = counter.Snapshot().Minus(before);
        var rows = (await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).ToDictionary(r => r.RequestId, StringComparer.Ordinal);
        var attention = rows.Values.Count(r => r.Level is "at-risk" or "overdue" or "escalated");
        var dirty = (await test.ReadAllAsync<ScheduleEntity>(StorageNames.SweepScheduleTable, "PartitionKey eq 'due'")).Where(e => e.DueAt <= S1.ToDateTimeOffset()).ToList();
        Assert.Equal(["FR-HIGH"], dirty.Select(e => e.RequestId));
        Assert.Equal(1, report.TimelinesRead);
        // The schedule, the partitions (one query each and one past the last), a query per party and attention level,
        // the rows not valid at T, FR-HIGH's timeline, the outbox; FR-HIGH's row (never evaluated) by a point read.
        Assert.Equal(1 + (Parties.Length + 1) + 3 * Parties.Length + 1 + 1 + 1, counts[StorageOperation.TableQuery]);
        Assert.Equal(1, counts[StorageOperation.TablePointRead]);
        // Entities: the schedule entry, one row per partition, the rows at an attention level and FR-HIGH's (no events, no outbox).
        Assert.Equal(dirty.Count + Parties.Length + attention + 1, report.EntitiesRead);

        // New events for three requests at attention level: each is read from its timeline, the others still are not.
        var marked = rows.Values.Where(r => r.Level is "overdue" or "escalated").Select(r => r.RequestId).Order(StringComparer.Ordinal).Take(3).ToList();
        var feed = new StringBuilder("record_id,reported_at,reporter,kind,request_refs,indicators,summary\n");
        foreach (var id in marked)
        {
            feed.Append(CultureInfo.InvariantCulture, $"N-{id},2027-01-04T05:00:00Z,{rows[id].RequestingParty},comment,{id},,More detail\n");
        }
        await test.PushAsync("more.csv", feed.ToString(), FeedKind.Incidents, "liaison");
        Assert.Empty((await test.Host.ProcessPendingAsync(null, CancellationToken.None)).Item2);
        before = counter.Snapshot();
        report = await builder.BuildAsync(S1, CancellationToken.None);
        counts = counter.Snapshot().Minus(before);
        Assert.Equal(1 + marked.Count, report.TimelinesRead);
        Assert.Equal(1 + (Parties.Length + 1) + 3 * Parties.Length + 1 + (1 + marked.Count) + 1, counts[StorageOperation.TableQuery]);
        Assert.Equal(1, counts[StorageOperation.TablePointRead]);
    }

    /// <summary>Items, problems, warnings and the rendered files, in order.</summary>
    private static void AssertSame(DigestReport expected, DigestReport actual, Instant at)
    {
        Assert.True(expected.Items.Count > 0, $"{at}: nothing needs attention");
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected.Problems, actual.Problems);
        Assert.Equal(expected.Warnings, actual.Warnings);
        Assert.Equal(DigestRenderer.Markdown(expected), DigestRenderer.Markdown(actual));
        Assert.Equal(DigestRenderer.Html(expected), DigestRenderer.Html(actual));
    }

    /// <summary>The digest lists exactly what every request's timeline says at its instant: no candidate is missed.</summary>
    private static async Task AssertEveryRequestAgreesAsync(TestStorage test, ConfigSnapshot config, DigestReport report)
    {
        var events = test.Services.GetRequiredService<RequestEventStore>();
        var items = new List<DigestItem>();
        var problems = new List<DigestProblem>();
        foreach (var row in await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable))
        {
            try
            {
                items.AddRange(DigestBuilder.Evaluate(row, await events.ClockEventsAsync(row.RequestId, CancellationToken.None), report.AsOf, config));
            }
            catch (SlaConfigurationException ex)
            {
                problems.Add(new DigestProblem(row.RequestId, row.RespondingParty, ex.Message));
            }
        }
        Assert.Equal(items.OrderBy(i => i.RequestId, StringComparer.Ordinal).ThenBy(i => i.Clock), report.Items.OrderBy(i => i.RequestId, StringComparer.Ordinal).ThenBy(i => i.Clock));
        Assert.Equal(problems.OrderBy(p => p.RequestId, StringComparer.Ordinal), report.Problems.OrderBy(p => p.RequestId, StringComparer.Ordinal));
    }

    /// <summary>
    /// Registers the requests, ingests their first events, sweeps at S0 and S1; then (optionally) ingests later events
    /// (dirty marks) and strips the digest columns from some rows, as rows written before them. Returns how many.
    /// </summary>
    private static async Task<int> ArrangeAsync(TestStorage test, bool legacyRows = true, bool laterEvents = true)
    {
        await test.Storage.EnsureCreatedAsync(CancellationToken.None);
        await test.Storage.Config.GetBlobClient($"{MonitorConfiguration.CalendarsFolder}GB.json").UploadAsync(BinaryData.FromString(GbCalendar));
        var random = new Random(20261218);
        var register = new StringBuilder("request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\n");
        var early = new StringBuilder("record_id,reported_at,reporter,kind,request_refs,indicators,summary\n");
        var late = new StringBuilder(early.ToString());
        for (var i = 0; i < Requests; i++)
        {
            var party = Parties[i % Parties.Length];
            // FR has no calendar: its critical requests run on 24x7, its one high request cannot be evaluated.
            var priority = party == "FR" ? "critical" : Priorities[i / Parties.Length % Priorities.Length];
            var id = $"{party}-{i:D3}";
            var requester = party == "US" ? "CN" : "US";
            var submitted = Base + Duration.FromMinutes(random.Next(0, 16 * 24 * 60));
            register.Append(CultureInfo.InvariantCulture, $"{id},{requester},{party},investigation,{priority},{Utc(submitted)},Request {i},\n");
            var at = submitted;
            var n = 0;
            void Event(string kind, string reporter, int maxHours)
            {
                at += Duration.FromMinutes(random.Next(30, maxHours * 60));
                (at < S1 && random.Next(5) > 0 ? early : late).Append(CultureInfo.InvariantCulture, $"{id}-E{n++},{Utc(at)},{reporter},{kind},{id},,event\n");
            }
            var shape = random.Next(6);
            if (shape >= 1)
            {
                Event("acknowledgement", party, 30);
            }
            if (shape == 2)
            {
                Event("info-request", party, 40);
                Event("comment", requester, 60);
            }
            if (shape >= 3)
            {
                Event("status-update", party, 50);
                Event("status-update", party, 80);
            }
            if (shape == 5)
            {
                Event("response", party, 90);
            }
        }
        register.Append(CultureInfo.InvariantCulture, $"FR-HIGH,US,FR,investigation,high,{Utc(Base)},No calendar for FR,\n");
        // Overdue at S0 + 12h, met or pending by S1 with no event after it: only its EvaluatedAt (after T) says so.
        register.Append("US-MET,CN,US,investigation,critical,2026-12-30T08:00:00Z,Met before S1,\n");
        early.Append("US-MET-A,2026-12-30T13:00:00Z,US,acknowledgement,US-MET,,ack\nUS-MET-R,2026-12-30T14:00:00Z,US,response,US-MET,,response\n");
        foreach (var update in new[] { "2026-12-31T06", "2026-12-31T23", "2027-01-01T16", "2027-01-02T09", "2027-01-03T02", "2027-01-03T19", "2027-01-04T05" })
        {
            early.Append(CultureInfo.InvariantCulture, $"US-MET-{update},{update}:00:00Z,US,status-update,US-MET,,update\n");
        }
        await test.PushAsync("register.csv", register.ToString(), FeedKind.Requests);
        await test.PushAsync("early.csv", early.ToString(), FeedKind.Incidents, "liaison");
        Assert.Empty((await test.Host.ProcessPendingAsync(null, CancellationToken.None)).Item2);
        var sweeper = test.Services.GetRequiredService<OverdueSweeper>();
        await sweeper.SweepAsync(S0, CancellationToken.None);
        await sweeper.SweepAsync(S1, CancellationToken.None);
        if (laterEvents)
        {
            await test.PushAsync("late.csv", late.ToString(), FeedKind.Incidents, "liaison");
            Assert.Empty((await test.Host.ProcessPendingAsync(null, CancellationToken.None)).Item2);
        }
        if (!legacyRows)
        {
            return 0;
        }
        // Every fourth row at an attention level as a sweep wrote it before the digest columns existed.
        var (seen, stripped) = (0, 0);
        await foreach (var row in test.Storage.Requests.QueryAsync<TableEntity>())
        {
            if (row.GetString(nameof(RequestEntity.Level)) is "at-risk" or "overdue" or "escalated" && seen++ % 4 == 0)
            {
                stripped++;
                foreach (var column in new[] { "Ack", "Response", "Update" }.SelectMany(c => new[] { "EscalateAt", "Calendar", "CalendarWarning", "Why" }.Select(s => c + s)))
                {
                    row.Remove(column);
                }
                await test.Storage.Requests.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
            }
        }
        return stripped;
    }

    private static string Utc(Instant instant) => instant.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
