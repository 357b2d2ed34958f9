using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The clock rules of the issue, end to end: feed records go through the real ingest (kind aliases, reporter to party,
/// Effect), the sweep feeds the timeline to the engine, and the Requests columns are read back.
/// </summary>
/// <remarks>
/// Every request is critical, US to CN, submitted 2026-11-16T00:00Z, on the 24x7 calendar: acknowledgement at risk 03:00,
/// due 04:00, escalated 08:00; response and update at risk 18:00, due 11-17 00:00. Sweeps at 01:00 and at 12:00.
/// </remarks>
public sealed class ClockRulesIngestTests(ClockRulesIngestTests.Scenario scenario) : IClassFixture<ClockRulesIngestTests.Scenario>
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators,status,status_changed_at
        R-ACK,US,CN,investigation,critical,2026-11-16T00:00:00Z,ack alias from the responder,,,
        R-REQACK,US,CN,investigation,critical,2026-11-16T00:00:00Z,acknowledgement from the requester,,,
        R-CERT,US,CN,investigation,critical,2026-11-16T00:00:00Z,response from a third party,,,
        R-RESP,US,CN,investigation,critical,2026-11-16T00:00:00Z,response,,,
        R-CLOSE,US,CN,investigation,critical,2026-11-16T00:00:00Z,closure event,,,
        R-UPD,US,CN,investigation,critical,2026-11-16T00:00:00Z,two status updates,,,
        R-RFI,US,CN,investigation,critical,2026-11-16T00:00:00Z,info-request answered,,,
        R-RFI-OPEN,US,CN,investigation,critical,2026-11-16T00:00:00Z,info-request unanswered,,,
        R-RFI-LATE,US,CN,investigation,critical,2026-11-16T00:00:00Z,info-request after the response,,,
        R-WD,US,CN,investigation,critical,2026-11-16T00:00:00Z,withdrawn,,withdrawn,2026-11-16T02:30:00Z
        R-CL,US,CN,investigation,critical,2026-11-16T00:00:00Z,closed in the register,,closed,2026-11-16T05:00:00Z
        """;

    private const string Feed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        A1,2026-11-16T02:00:00Z,CN,ack,R-ACK,,alias of acknowledgement
        B1,2026-11-16T02:00:00Z,US,acknowledgement,R-REQACK,,the requester cannot acknowledge for the responder
        C1,2026-11-16T02:00:00Z,cert-x,response,R-CERT,,a CERT is neither party
        D1,2026-11-16T02:00:00Z,CN,response,R-RESP,,answer
        E1,2026-11-16T02:00:00Z,CN,closed,R-CLOSE,,alias of closure
        F1,2026-11-16T02:00:00Z,CN,progress,R-UPD,,alias of status-update
        F2,2026-11-16T06:00:00Z,CN,status_update,R-UPD,,second update
        G1,2026-11-16T02:00:00Z,CN,rfi,R-RFI,,alias of info-request
        G2,2026-11-16T05:00:00Z,US,comment,R-RFI,,any requester event ends the pause
        I1,2026-11-16T02:00:00Z,CN,response,R-RFI-LATE,,answer first
        I2,2026-11-16T03:00:00Z,CN,info-request,R-RFI-LATE,,question after the answer
        L1,2026-11-16T02:00:00Z,CN,acknowledgement,R-LATE,,arrives before the request is registered
        """;

    // Arrives after the 01:00 sweep, which had written a response due instant that the open pause must remove.
    private const string LaterFeed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        H1,2026-11-16T02:00:00Z,CN,info-request,R-RFI-OPEN,,no answer yet
        """;

    private const string LateRegister = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        R-LATE,US,CN,investigation,critical,2026-11-16T00:00:00Z,registered after its acknowledgement arrived,
        """;

    /// <summary>Ingests and sweeps once for all the tests of the class; they only read.</summary>
    public sealed class Scenario : IAsyncLifetime
    {
        public TestStorage Test { get; } = new();

        internal SweepTestKit Kit { get; private set; } = null!;

        public Dictionary<string, RequestEntity> Rows { get; private set; } = [];

        public List<AlertEntity> Alerts { get; private set; } = [];

        public RequestEntity BeforePause { get; private set; } = null!;

        public List<string> Queued { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Kit = new SweepTestKit(Test);
            await Test.PushAsync("register.csv", Register, FeedKind.Requests);
            await Test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison");
            var (_, failures) = await Test.Host.ProcessPendingAsync(null, CancellationToken.None);
            Assert.Empty(failures);
            await Test.PushAsync("late-register.csv", LateRegister, FeedKind.Requests);
            (_, failures) = await Test.Host.ProcessPendingAsync(null, CancellationToken.None);
            Assert.Empty(failures);
            await Kit.SweepAsync("2026-11-16T01:00:00Z");
            BeforePause = (await Kit.RequestsAsync())["R-RFI-OPEN"];
            await Test.PushAsync("later-feed.csv", LaterFeed, FeedKind.Incidents, "liaison");
            (_, failures) = await Test.Host.ProcessPendingAsync(null, CancellationToken.None);
            Assert.Empty(failures);
            await Kit.SweepAsync("2026-11-16T12:00:00Z");
            Rows = await Kit.RequestsAsync();
            Alerts = await Kit.AlertsAsync();
            Queued = await Kit.DrainQueueAsync();
        }

        public async Task DisposeAsync() => await Test.DisposeAsync();
    }

    private Dictionary<string, RequestEntity> Rows => scenario.Rows;

    /// <summary>"ack response update#cycle overall" at 12:00.</summary>
    [Theory]
    // An acknowledgement from the responder (alias "ack") stops the acknowledgement clock only.
    [InlineData("R-ACK", "met pending pending#0 pending")]
    // From the requester it acts on nothing (it is on the timeline because requester events end pauses).
    [InlineData("R-REQACK", "escalated pending pending#0 escalated")]
    // From a party that is neither: related activity, no effect.
    [InlineData("R-CERT", "escalated pending pending#0 escalated")]
    // A response stops the response clock, acknowledges, and ends the update cadence.
    [InlineData("R-RESP", "met met met#0 met")]
    // A closure (alias "closed") stops every clock.
    [InlineData("R-CLOSE", "met met met#0 met")]
    // Each status update (aliases "progress", "status_update") restarts the update clock: cycle 2 from 06:00.
    [InlineData("R-UPD", "escalated pending pending#2 escalated")]
    // An info-request pauses response and update (not the acknowledgement) until the requester's next event.
    [InlineData("R-RFI", "escalated pending pending#0 escalated")]
    [InlineData("R-RFI-OPEN", "escalated paused paused#0 escalated")]
    // After the response there is nothing left to pause.
    [InlineData("R-RFI-LATE", "met met met#0 met")]
    // Withdrawn stops every running clock without meeting it; closed in the register counts like a closure at 05:00.
    [InlineData("R-WD", "stopped stopped stopped#0 stopped")]
    [InlineData("R-CL", "met-late met met#0 met-late")]
    // An event that arrived before its request was registered is resolved at registration and drives the clock.
    [InlineData("R-LATE", "met pending pending#0 pending")]
    public void Each_rule_gives_the_levels_the_issue_says(string requestId, string levels)
    {
        var r = Rows[requestId];
        Assert.Equal(levels, $"{r.AckLevel} {r.ResponseLevel} {r.UpdateLevel}#{r.UpdateCycle} {r.Level}");
    }

    [Fact]
    public void The_columns_carry_the_instants_of_the_rules()
    {
        Assert.Equal(At("2026-11-16T02:00:00Z"), Rows["R-ACK"].AckMetAt);
        Assert.Null(Rows["R-REQACK"].AckMetAt);
        Assert.Equal((At("2026-11-16T02:00:00Z"), At("2026-11-16T02:00:00Z")), (Rows["R-RESP"].AckMetAt, Rows["R-RESP"].ResponseMetAt));
        Assert.Equal(At("2026-11-17T06:00:00Z"), Rows["R-UPD"].UpdateDueAt);
        // Paused 02:00-05:00: the response and update are due 3 hours later than 11-17 00:00.
        Assert.Equal((At("2026-11-17T03:00:00Z"), At("2026-11-17T03:00:00Z")), (Rows["R-RFI"].ResponseDueAt, Rows["R-RFI"].UpdateDueAt));
        // Still paused: no due instant, and the one the 01:00 sweep wrote is gone from the row.
        Assert.Equal((At("2026-11-17T00:00:00Z"), At("2026-11-17T00:00:00Z")), (scenario.BeforePause.ResponseDueAt, scenario.BeforePause.UpdateDueAt));
        Assert.Equal((null, null), (Rows["R-RFI-OPEN"].ResponseDueAt, Rows["R-RFI-OPEN"].UpdateDueAt));
        Assert.Equal(At("2026-11-16T04:00:00Z"), Rows["R-RFI-OPEN"].AckDueAt);
        Assert.Equal((At("2026-11-16T05:00:00Z"), At("2026-11-16T05:00:00Z")), (Rows["R-CL"].AckMetAt, Rows["R-CL"].ResponseMetAt));
        Assert.Equal((null, null), (Rows["R-WD"].AckMetAt, Rows["R-WD"].ResponseMetAt));
    }

    [Fact]
    public async Task Effects_say_which_events_drive_the_clocks()
    {
        var stored = await scenario.Test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable);
        // C1 moves no clock: it is stored in Matches alone, and the merged timeline shows it as related activity.
        Assert.DoesNotContain(stored, e => e.RecordId == "C1");
        var matches = await scenario.Test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable);
        var events = RequestTimeline.Merge(stored, matches).ToDictionary(e => e.RecordId);
        Assert.Equal(("acknowledgement", "timeline", "CN"), (events["A1"].Kind, events["A1"].Effect, events["A1"].ReporterParty));
        Assert.Equal(("acknowledgement", "timeline", "US"), (events["B1"].Kind, events["B1"].Effect, events["B1"].ReporterParty));
        Assert.Equal(("response", "related-activity", null), (events["C1"].Kind, events["C1"].Effect, events["C1"].ReporterParty));
        Assert.Equal(("closure", "timeline"), (events["E1"].Kind, events["E1"].Effect));
        Assert.Equal(("status-update", "status-update"), (events["F1"].Kind, events["F2"].Kind));
        Assert.Equal(("info-request", "timeline"), (events["G1"].Kind, events["G1"].Effect));
        Assert.Equal(("comment", "timeline", "US"), (events["G2"].Kind, events["G2"].Effect, events["G2"].ReporterParty));
        Assert.Equal(("timeline", false), (events["L1"].Effect, events["L1"].Pending));
    }

    [Fact]
    public void Only_running_clocks_raise_alerts()
    {
        var alerted = scenario.Alerts.Select(a => a.RequestId).Distinct().Order(StringComparer.Ordinal);
        // The acknowledgement of each of these ran past 08:00: at-risk, overdue and escalated, once each.
        Assert.Equal(["R-CERT", "R-REQACK", "R-RFI", "R-RFI-OPEN", "R-UPD"], alerted);
        Assert.Equal(15, scenario.Alerts.Count);
        Assert.Equal(15, scenario.Queued.Distinct().Count());
        Assert.All(scenario.Alerts, a => Assert.Equal("acknowledgement", a.Clock));
    }

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);
}
