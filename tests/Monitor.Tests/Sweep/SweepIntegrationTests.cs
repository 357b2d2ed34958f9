using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The sweep against a real Azurite: requests and events go in through the ingest, sweeps run at successive --as-of
/// instants, and every level change, every alert row and every queue message is checked.
/// </summary>
/// <remarks>
/// Both requests are critical (24x7 calendar): acknowledgement 4h, response 24h, update 24h; at risk at 75%, escalated
/// a further 100% after due. Submitted Mon 2026-11-16 00:00Z.
/// S-1: acknowledged late at 05:00 (at risk 03:00, due 04:00); status update at 20:00 ends update cycle 0 (met, due
///      11-17 00:00) and starts cycle 1 (at risk 11-17 14:00 = 20:00 + 18h, due 11-17 20:00, escalates 11-18 20:00).
///      Response: at risk 18:00, due 11-17 00:00, escalates 11-18 00:00.
/// S-2: acknowledged on time at 01:00; CN asks for information at 19:00, US answers at 20:00, so the response and
///      update clocks pause for 1h: at risk 18:00 (before the pause), due 11-17 01:00, escalates 11-18 01:00.
/// </remarks>
public sealed class SweepIntegrationTests : IAsyncLifetime
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        S-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,Late acknowledgement,
        S-2,US,CN,investigation,critical,2026-11-16T00:00:00Z,Paused for information,
        """;

    private const string Feed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        E1,2026-11-16T05:00:00Z,CN,acknowledgement,S-1,,Received late
        E2,2026-11-16T20:00:00Z,CN,status-update,S-1,,Working on it
        F1,2026-11-16T01:00:00Z,CN,acknowledgement,S-2,,Received
        F2,2026-11-16T19:00:00Z,CN,info-request,S-2,,Which hosts?
        F3,2026-11-16T20:00:00Z,US,comment,S-2,,These hosts
        """;

    /// <summary>Each sweep instant, the levels it must leave ("ID ack response update#cycle overall") and the alerts it must raise.</summary>
    public static readonly TheoryData<string, string[], string[]> Steps = new()
    {
        { "2026-11-16T01:30:00Z", ["S-1 pending pending pending#0 pending", "S-2 met pending pending#0 pending"], [] },
        { "2026-11-16T03:30:00Z", ["S-1 at-risk pending pending#0 at-risk", "S-2 met pending pending#0 pending"], ["S-1|acknowledgement|at-risk|0000 pending->at-risk 11-16 03:00 2026-11"] },
        { "2026-11-16T04:30:00Z", ["S-1 overdue pending pending#0 overdue", "S-2 met pending pending#0 pending"], ["S-1|acknowledgement|overdue|0000 at-risk->overdue 11-16 04:00 2026-11"] },
        // Acknowledged late at 05:00: met-late, which raises nothing; the overall level is the worst, pending.
        { "2026-11-16T06:00:00Z", ["S-1 met-late pending pending#0 pending", "S-2 met pending pending#0 pending"], [] },
        {
            "2026-11-16T18:30:00Z",
            ["S-1 met-late at-risk at-risk#0 at-risk", "S-2 met at-risk at-risk#0 at-risk"],
            [
                "S-1|response|at-risk|0000 pending->at-risk 11-16 18:00 2026-11", "S-1|update|at-risk|0000 pending->at-risk 11-16 18:00 2026-11",
                "S-2|response|at-risk|0000 pending->at-risk 11-16 18:00 2026-11", "S-2|update|at-risk|0000 pending->at-risk 11-16 18:00 2026-11",
            ]
        },
        // S-2 waits for the requester: paused, no alert.
        { "2026-11-16T19:30:00Z", ["S-1 met-late at-risk at-risk#0 at-risk", "S-2 met paused paused#0 paused"], [] },
        // S-1's status update started update cycle 1; S-2 is at risk again after the reply: the same alerts, not new ones.
        { "2026-11-16T20:30:00Z", ["S-1 met-late at-risk pending#1 at-risk", "S-2 met at-risk at-risk#0 at-risk"], [] },
        { "2026-11-17T00:30:00Z", ["S-1 met-late overdue pending#1 overdue", "S-2 met at-risk at-risk#0 at-risk"], ["S-1|response|overdue|0000 at-risk->overdue 11-17 00:00 2026-11"] },
        {
            "2026-11-17T01:30:00Z",
            ["S-1 met-late overdue pending#1 overdue", "S-2 met overdue overdue#0 overdue"],
            ["S-2|response|overdue|0000 at-risk->overdue 11-17 01:00 2026-11", "S-2|update|overdue|0000 at-risk->overdue 11-17 01:00 2026-11"]
        },
        { "2026-11-17T14:30:00Z", ["S-1 met-late overdue at-risk#1 overdue", "S-2 met overdue overdue#0 overdue"], ["S-1|update|at-risk|0001 pending->at-risk 11-17 14:00 2026-11"] },
        { "2026-11-17T20:30:00Z", ["S-1 met-late overdue overdue#1 overdue", "S-2 met overdue overdue#0 overdue"], ["S-1|update|overdue|0001 at-risk->overdue 11-17 20:00 2026-11"] },
        { "2026-11-18T00:30:00Z", ["S-1 met-late escalated overdue#1 escalated", "S-2 met overdue overdue#0 overdue"], ["S-1|response|escalated|0000 overdue->escalated 11-18 00:00 2026-11"] },
        {
            "2026-11-18T01:30:00Z",
            ["S-1 met-late escalated overdue#1 escalated", "S-2 met escalated escalated#0 escalated"],
            ["S-2|response|escalated|0000 overdue->escalated 11-18 01:00 2026-11", "S-2|update|escalated|0000 overdue->escalated 11-18 01:00 2026-11"]
        },
        { "2026-11-18T20:30:00Z", ["S-1 met-late escalated escalated#1 escalated", "S-2 met escalated escalated#0 escalated"], ["S-1|update|escalated|0001 overdue->escalated 11-18 20:00 2026-11"] },
    };

    private readonly TestStorage _test = new();
    private readonly SweepTestKit _kit;

    public SweepIntegrationTests() => _kit = new SweepTestKit(_test);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task Successive_sweeps_change_every_level_and_raise_each_alert_exactly_once_in_table_and_queue()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison");
        var (runs, failures) = await _test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        Assert.Equal(["processed", "processed"], runs.Select(r => r.Outcome));

        var expectedRows = new List<string>();
        foreach (var step in Steps)
        {
            var (at, levels, newAlerts) = ((string)step[0], (string[])step[1], (string[])step[2]);
            var result = await _kit.SweepAsync(at);

            Assert.Equal(levels, await _kit.LevelsAsync());
            Assert.Equal(newAlerts.Order(StringComparer.Ordinal), result.Alerts.Select(SweepTestKit.Describe).Order(StringComparer.Ordinal));
            expectedRows.AddRange(newAlerts);
            Assert.Equal(expectedRows.Order(StringComparer.Ordinal), await _kit.AlertRowsAsync());
            Assert.Equal(newAlerts.Select(a => a.Split(' ')[0]).Order(StringComparer.Ordinal), await _kit.DrainQueueAsync());
            Assert.All(await _kit.AlertsAsync(), a => Assert.True(a.Queued, $"{a.RowKey} is not marked queued"));

            // The same instant again: nothing is due, nothing is read beyond the schedule query, nothing is written.
            var requestETags = await _kit.RequestETagsAsync();
            var schedule = await _kit.ScheduleAsync();
            var again = await _kit.SweepAsync(at);
            Assert.Equal((0, 0, 0, 0), (again.DueEntries, again.RequestsEvaluated, again.EntitiesRead, again.Alerts.Count));
            Assert.Equal(requestETags, await _kit.RequestETagsAsync());
            Assert.Equal(schedule, await _kit.ScheduleAsync());
            Assert.Equal(expectedRows.Order(StringComparer.Ordinal), await _kit.AlertRowsAsync());
            Assert.Empty(await _kit.DrainQueueAsync());
        }

        // 15 alerts in all: each once in the table and once on the queue.
        Assert.Equal(15, expectedRows.Count);
        Assert.Equal(_kit.Queued.Count, _kit.Queued.Distinct().Count());
        Assert.Equal(expectedRows.Select(a => a.Split(' ')[0]).Order(StringComparer.Ordinal), _kit.Queued.Order(StringComparer.Ordinal));

        var requests = await _kit.RequestsAsync();
        Assert.Equal(DateTimeOffset.Parse("2026-11-16T05:00:00Z"), requests["S-1"].AckMetAt);
        Assert.Equal(DateTimeOffset.Parse("2026-11-17T20:00:00Z"), requests["S-1"].UpdateDueAt);
        Assert.Equal(DateTimeOffset.Parse("2026-11-17T01:00:00Z"), requests["S-2"].ResponseDueAt);
        // Nothing changes any more: no next change, and the schedule holds no entry for either request.
        Assert.All(requests.Values, r => Assert.Null(r.NextChangeAt));
        Assert.DoesNotContain(await _kit.ScheduleAsync(), e => e.StartsWith("due|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_skipped_interval_one_sweep_catches_up_with_the_levels_and_every_alert()
    {
        // Two identical requests in two storages: one swept every hour, one swept once before at-risk and once after escalation.
        const string register = """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            K-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,No answer at all,
            """;
        await using var hourly = new TestStorage();
        var hourlyKit = new SweepTestKit(hourly);
        await hourly.PushAsync("register.csv", register, FeedKind.Requests);
        await hourly.Host.ProcessPendingAsync(null, CancellationToken.None);
        await _test.PushAsync("register.csv", register, FeedKind.Requests);
        await _test.Host.ProcessPendingAsync(null, CancellationToken.None);

        for (var hour = 1; hour <= 9; hour++)
        {
            await hourlyKit.SweepAsync($"2026-11-16T{hour:D2}:00:00Z");
        }
        await _kit.SweepAsync("2026-11-16T01:00:00Z");
        Assert.Equal(["K-1 pending pending pending#0 pending"], await _kit.LevelsAsync());
        var jump = await _kit.SweepAsync("2026-11-16T09:00:00Z");

        // Acknowledgement: at risk 03:00, due 04:00, escalated 08:00 (4h further). Response and update: at risk 18:00.
        string[] expected =
        [
            "K-1|acknowledgement|at-risk|0000 pending->at-risk 11-16 03:00 2026-11",
            "K-1|acknowledgement|escalated|0000 overdue->escalated 11-16 08:00 2026-11",
            "K-1|acknowledgement|overdue|0000 at-risk->overdue 11-16 04:00 2026-11",
        ];
        Assert.Equal(["K-1 escalated pending pending#0 escalated"], await _kit.LevelsAsync());
        Assert.Equal(expected, jump.Alerts.Select(SweepTestKit.Describe).Order(StringComparer.Ordinal));
        Assert.Equal(expected, await _kit.AlertRowsAsync());
        Assert.Equal(expected.Select(a => a.Split(' ')[0]), await _kit.DrainQueueAsync());
        // The same alerts, with the same reached instants and previous levels, as hourly sweeps raised.
        Assert.Equal(await hourlyKit.AlertRowsAsync(), await _kit.AlertRowsAsync());
        Assert.Equal(await hourlyKit.LevelsAsync(), await _kit.LevelsAsync());
        Assert.Equal(expected.Select(a => a.Split(' ')[0]), await hourlyKit.DrainQueueAsync());

        var again = await _kit.SweepAsync("2026-11-16T09:00:00Z");
        Assert.Empty(again.Alerts);
        Assert.Empty(await _kit.DrainQueueAsync());
    }

    [Fact]
    public async Task A_catch_up_raises_nothing_for_a_cycle_that_ended_before_the_sweep()
    {
        // S-1 of the main scenario swept once at 01:30 and then only after everything escalated: the acknowledgement
        // (met late at 05:00) and update cycle 0 (ended by the status update at 20:00) are over at T, so their at-risk
        // and overdue levels are history, not news; the running response clock and update cycle 1 raise every level.
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison");
        await _test.Host.ProcessPendingAsync(null, CancellationToken.None);
        await _kit.SweepAsync("2026-11-16T01:30:00Z");

        var jump = await _kit.SweepAsync("2026-11-18T20:30:00Z");

        Assert.Equal(["S-1 met-late escalated escalated#1 escalated", "S-2 met escalated escalated#0 escalated"], await _kit.LevelsAsync());
        Assert.Equal(
            [
                "S-1|response|at-risk|0000 pending->at-risk 11-16 18:00 2026-11",
                "S-1|response|escalated|0000 overdue->escalated 11-18 00:00 2026-11",
                "S-1|response|overdue|0000 at-risk->overdue 11-17 00:00 2026-11",
                "S-1|update|at-risk|0001 pending->at-risk 11-17 14:00 2026-11",
                "S-1|update|escalated|0001 overdue->escalated 11-18 20:00 2026-11",
                "S-1|update|overdue|0001 at-risk->overdue 11-17 20:00 2026-11",
                "S-2|response|at-risk|0000 pending->at-risk 11-16 18:00 2026-11",
                "S-2|response|escalated|0000 overdue->escalated 11-18 01:00 2026-11",
                "S-2|response|overdue|0000 at-risk->overdue 11-17 01:00 2026-11",
                "S-2|update|at-risk|0000 pending->at-risk 11-16 18:00 2026-11",
                "S-2|update|escalated|0000 overdue->escalated 11-18 01:00 2026-11",
                "S-2|update|overdue|0000 at-risk->overdue 11-17 01:00 2026-11",
            ],
            await _kit.AlertRowsAsync());
        Assert.Equal(12, jump.Alerts.Count);
        Assert.Equal(12, (await _kit.DrainQueueAsync()).Distinct().Count());
    }
}
