using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Reporting;

/// <summary>
/// A seeded year for the reporting tests: two responding parties (CN on Asia/Shanghai, US on America/New_York, both
/// 09:00-17:00 Mon-Fri with their holidays) over 2026-H1 and 2026-H2, with on-time and late answers. Every expected
/// figure is worked out by hand in <see cref="PeriodStatsTests"/>.
/// </summary>
public static class ReportScenario
{
    /// <summary>The report instant: every event below is before it.</summary>
    public static readonly Instant AsOf = Instant.FromUtc(2027, 1, 15, 0, 0);

    // high: ack P1D (8 h), response P5D (40 h) on the responder's calendar, update P7D (168 h) on 24x7.
    // medium: ack P2D (16 h), response P15D (120 h), update P14D (336 h) on 24x7. Escalation: a further 100% of target.
    public const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,status,status_changed_at,summary
        A1,US,CN,investigation,high,2026-03-02T09:00:00+08:00,open,,answered on time
        A2,US,CN,investigation,high,2026-03-09T09:00:00+08:00,open,,answered late without acknowledgement
        A3,US,CN,investigation,high,2026-06-22T09:00:00+08:00,open,,answered late in July
        A4,US,CN,investigation,high,2026-11-02T09:00:00+08:00,open,,answered exactly at due
        A5,US,CN,investigation,high,2026-12-07T09:00:00+08:00,open,,never answered
        B1,CN,US,evidence,medium,2026-04-06T09:00:00-04:00,open,,answered on time
        B2,CN,US,investigation,high,2026-05-18T09:00:00-04:00,open,,answered late over Memorial Day
        B3,CN,US,investigation,high,2026-10-26T09:00:00-04:00,open,,answered late across the DST change
        B4,CN,US,investigation,high,2026-11-16T09:00:00-05:00,open,,answered on time
        B5,CN,US,investigation,high,2026-12-14T09:00:00-05:00,withdrawn,2026-12-15T12:00:00-05:00,withdrawn after the ack was due
        """;

    public const string CnFeed = """
        record_id,reported_at,reporter,kind,request_refs,summary,findings,evidence,mitigation
        CN-1,2026-03-02T10:00:00+08:00,CN,acknowledgement,A1,received,,,
        CN-2,2026-03-04T13:00:00+08:00,CN,response,A1,answer,yes,yes,sinkholed the C2 domain
        CN-3,2026-03-17T11:00:00+08:00,CN,response,A2,answer,yes,no,
        CN-4,2026-06-22T09:30:00+08:00,CN,acknowledgement,A3,received,,,
        CN-5,2026-06-29T08:00:00+08:00,CN,status-update,A3,still working,,,
        CN-6,2026-07-02T10:00:00+08:00,CN,response,A3,answer,yes,yes,blocked the IP range
        CN-7,2026-11-02T16:00:00+08:00,CN,acknowledgement,A4,received,,,
        CN-8,2026-11-06T17:00:00+08:00,CN,response,A4,answer,yes,yes,none
        """;

    public const string UsFeed = """
        record_id,reported_at,reporter,kind,request_refs,summary,findings,evidence,mitigation
        US-1,2026-04-07T10:00:00-04:00,US,acknowledgement,B1,received,,,
        US-2,2026-04-17T12:00:00-04:00,US,response,B1,answer,yes,yes,account disabled
        US-3,2026-05-18T11:00:00-04:00,US,acknowledgement,B2,received,,,
        US-4,2026-05-27T15:00:00-04:00,US,response,B2,answer,no,yes,domain seized
        US-5,2026-10-26T12:00:00-04:00,US,acknowledgement,B3,received,,,
        US-6,2026-11-02T08:00:00-05:00,US,status-update,B3,still working,,,
        US-7,2026-11-03T10:00:00-05:00,US,response,B3,answer,yes,no,takedown requested
        US-8,2026-11-16T10:00:00-05:00,US,acknowledgement,B4,received,,,
        US-9,2026-11-19T16:00:00-05:00,US,response,B4,answer,yes,yes,
        """;

    // A source that maps to no party: its records are related activity (sightings), the recurrence signal.
    public const string SightingsFeed = """
        record_id,reported_at,reporter,kind,request_refs,summary
        S-1,2026-07-10T00:00:00Z,cert-x,sighting,A3,seen again after the block
        S-2,2026-06-10T00:00:00Z,cert-x,sighting,B2,seen again after the seizure
        S-3,2026-04-10T00:00:00Z,cert-x,sighting,B1,seen before the mitigation
        """;

    /// <summary>Pushes the register and the feeds and runs the local host once at <see cref="AsOf"/>.</summary>
    public static async Task SeedAsync(TestStorage test)
    {
        await test.PushAsync("register-2026.csv", Register, FeedKind.Requests);
        await test.PushAsync("cn-2026.csv", CnFeed, FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("us-2026.csv", UsFeed, FeedKind.Incidents, "liaison-us");
        await test.PushAsync("sightings-2026.csv", SightingsFeed, FeedKind.Incidents, "cert-x");
        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(summary.Failures);
        Assert.All(summary.Feeds, f => Assert.Equal((FeedOutcomes.Processed, 0), (f.Outcome, f.Rejects)));
    }
}
