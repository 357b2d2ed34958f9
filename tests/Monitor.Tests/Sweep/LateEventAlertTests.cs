using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The interleaving behind the racing-sweeps test, driven step by step: a sweep at T evaluates a request while only
/// some of its events are stored, the rest land afterwards, and the request is swept again. The alerts must be those
/// of one sweep over the final timeline (plus any the partial timeline rightly raised), not fewer.
/// </summary>
/// <remarks>
/// R-1 is critical (24x7): acknowledgement 4h, response 24h, update 24h; at risk at 75%, escalated a further 100%
/// after due. Submitted Mon 2026-11-16 00:00Z, acknowledged at 01:00 (feed A). Feed B, stored after the first sweep,
/// holds a status update at 20:00 that ends update cycle 0 (met: due 11-17 00:00) and starts cycle 1: at risk
/// 11-17 14:00, due 11-17 20:00, escalated 11-18 20:00. All three cycle-1 levels lie before T = 11-18 20:30.
/// </remarks>
public sealed class LateEventAlertTests
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        R-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,Status update stored after a sweep,
        """;

    private const string FeedA = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        A1,2026-11-16T01:00:00Z,CN,acknowledgement,R-1,,Received
        """;

    private const string FeedB = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        B1,2026-11-16T20:00:00Z,CN,status-update,R-1,,Working on it
        """;

    private static readonly string[] CycleOne =
    [
        "R-1|update|at-risk|0001 pending->at-risk 11-17 14:00 2026-11",
        "R-1|update|escalated|0001 overdue->escalated 11-18 20:00 2026-11",
        "R-1|update|overdue|0001 at-risk->overdue 11-17 20:00 2026-11",
    ];

    [Theory]
    [InlineData("2026-11-18T20:30:00Z")]
    [InlineData("2026-11-19T09:00:00Z")]
    public async Task Events_stored_after_a_sweep_read_the_timeline_raise_every_level_the_final_timeline_reached(string secondSweep)
    {
        const string at = "2026-11-18T20:30:00Z";
        await using var clean = new TestStorage();
        var cleanKit = new SweepTestKit(clean);
        await clean.PushAsync("register.csv", Register, FeedKind.Requests);
        await clean.PushAsync("feed-a.csv", FeedA, FeedKind.Incidents, "liaison");
        await clean.PushAsync("feed-b.csv", FeedB, FeedKind.Incidents, "liaison");
        Assert.Empty((await clean.Host.ProcessPendingAsync(null, CancellationToken.None)).Failures);
        await cleanKit.SweepAsync(secondSweep);
        var cleanAlerts = await cleanKit.AlertRowsAsync();
        Assert.Subset(cleanAlerts.ToHashSet(), CycleOne.ToHashSet());

        await using var late = new TestStorage();
        var kit = new SweepTestKit(late);
        await late.PushAsync("register.csv", Register, FeedKind.Requests);
        await late.PushAsync("feed-a.csv", FeedA, FeedKind.Incidents, "liaison");
        Assert.Empty((await late.Host.ProcessPendingAsync(null, CancellationToken.None)).Failures);
        // The sweep reads the timeline before feed B is stored: update cycle 0 looks escalated, and is raised as such.
        var first = await kit.SweepAsync(at);
        Assert.Contains("R-1|update|escalated|0000 overdue->escalated 11-18 00:00 2026-11", first.Alerts.Select(SweepTestKit.Describe));
        Assert.Equal(["R-1 met escalated escalated#0 escalated"], await kit.LevelsAsync());

        await late.PushAsync("feed-b.csv", FeedB, FeedKind.Incidents, "liaison");
        Assert.Empty((await late.Host.ProcessPendingAsync(null, CancellationToken.None)).Failures);
        var second = await kit.SweepAsync(secondSweep);

        // Cycle 1 reached at-risk and overdue before the first sweep's instant: a stored "evaluated at T" must not hide them.
        Assert.Equal(CycleOne, second.Alerts.Select(SweepTestKit.Describe).Order(StringComparer.Ordinal));
        Assert.Equal(await cleanKit.LevelsAsync(), await kit.LevelsAsync());
        var alerts = await kit.AlertRowsAsync();
        Assert.Subset(alerts.ToHashSet(), cleanAlerts.ToHashSet());
        // Each alert row was queued once.
        var queued = await kit.DrainQueueAsync();
        Assert.Equal(alerts.Select(a => a.Split(' ')[0]).Order(StringComparer.Ordinal), queued);

        var again = await kit.SweepAsync(secondSweep);
        Assert.Empty(again.Alerts);
        Assert.Empty(await kit.DrainQueueAsync());
    }
}
