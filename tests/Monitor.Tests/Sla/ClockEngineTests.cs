using Monitor.Core.Feeds;
using Monitor.Core.Sla;
using NodaTime;
using Xunit;
using static Monitor.Tests.Sla.SlaTestData;

namespace Monitor.Tests.Sla;

/// <summary>
/// Clock scenarios on the default policy (thresholds 0.75 / 1.0). high = ack P1D, response P5D on the responder's
/// calendar, update P7D on 24x7 (168h); medium = ack P2D, response P15D, update P14D 24x7; low = ack P5D, response P30D;
/// critical = 24x7 ack PT4H, response PT24H, update PT24H. US requests from CN unless stated (CN = Asia/Shanghai, +08,
/// Mon-Fri 09:00-17:00, so 09:00-17:00 +08 = 01:00-09:00Z).
/// </summary>
public sealed class ClockEngineTests
{
    private static readonly Dictionary<string, Func<RequestClocks>> Scenarios = new()
    {
        // Submitted Mon 2026-11-16 09:00 +08 (01:00Z), nothing happens.
        // Ack 8h: at risk 6h = Mon 15:00 +08 = 07:00Z; due Mon 17:00 +08 = 09:00Z; escalates 16h = Tue 17:00 +08 = Tue 09:00Z.
        // Response 40h: at risk 30h = Mon-Wed 24h + Thu 09:00 + 6h = Thu 2026-11-19 15:00 +08 = 07:00Z; due Fri 11-20
        // 17:00 +08 = 09:00Z; escalates 80h = Fri 11-27 17:00 +08 = 09:00Z.
        // Update 168h on 24x7: at risk 126h = 2026-11-21T07:00Z; due 2026-11-23T01:00Z; escalates 336h = 2026-11-30T01:00Z.
        ["cn-high-silent"] = () => Compute(Request("high", "2026-11-16T09:00+08:00")),

        // Submitted Wed 2026-11-18 10:00 +08. Ack 16h: at risk 12h = Wed 7h + Thu 09:00 + 5h = Thu 14:00 +08 =
        // 2026-11-19T06:00Z; due Wed 7h + Thu 8h + Fri 09:00 + 1h = Fri 10:00 +08 = 2026-11-20T02:00Z; escalates 32h =
        // Wed 7 + Thu 8 + Fri 8 + Mon 8 (31h) + Tue 11-24 09:00 + 1h = 10:00 +08 = 2026-11-24T02:00Z.
        ["cn-medium-silent"] = () => Compute(Request("medium", "2026-11-18T10:00+08:00")),

        // Ack at Mon 13:00 +08 = 05:00Z, before the 09:00Z due: met.
        ["cn-high-ack-on-time"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T05:00Z", "acknowledgement", "CN", "a1")),

        // Ack at Mon 18:00 +08 = 10:00Z, after the 09:00Z due: met-late (overdue from 09:00Z until then).
        ["cn-high-ack-late"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T10:00Z", "acknowledgement", "CN", "a1")),

        // A response at Mon 11:00 +08 = 03:00Z stops ack, response and update: all met.
        ["response-acknowledges"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T03:00Z", "response", "CN", "r1")),

        // Update cycles on 24x7 (168h each). Cycle 0 from 2026-11-16T01:00Z, due 11-23T01:00Z; status update u1 at
        // 11-20T01:00Z (96h) is on time. Cycle 1 from 11-20T01:00Z: at risk +126h = 11-25T07:00Z, due 11-27T01:00Z;
        // u2 at 11-28T01:00Z is 24h late. Cycle 2 from 11-28T01:00Z, due 12-05T01:00Z.
        ["update-cycles"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T02:00Z", "acknowledgement", "CN", "a1"),
            Event("2026-11-20T01:00Z", "status-update", "CN", "u1"),
            Event("2026-11-28T01:00Z", "status-update", "CN", "u2")),

        // Pause: 8h of response used by Tue 09:00 +08 (11-17T01:00Z) when CN asks for information; US replies Thu
        // 09:00 +08 (11-19T01:00Z): 16 working hours excluded. Remaining 32h from Thu 09:00: Thu 8, Fri 8, Mon 8, Tue 8
        // -> due Tue 11-24 17:00 +08 = 09:00Z. At risk (30h) = 22h after Thu 09:00 = Mon 11-23 15:00 +08 = 07:00Z.
        // Escalates (80h) = 72h after Thu 09:00 = Tue 12-01 17:00 +08 = 09:00Z.
        // Update (24x7): 48h paused, due 11-23T01:00Z + 48h = 11-25T01:00Z; at risk: 24h before the pause, 102h after
        // 11-19T01:00Z = 11-23T07:00Z.
        ["pause-resume"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T02:00Z", "acknowledgement", "CN", "a1"),
            Event("2026-11-17T01:00Z", "info-request", "CN", "i1"),
            Event("2026-11-19T01:00Z", "information", "US", "r1")),

        // A pause after the response is overdue (due Fri 11-20T09:00Z): info-request Mon 11-23 09:00 +08 (01:00Z),
        // reply Wed 11-25 09:00 +08 (01:00Z). The clock stays overdue and stops progressing: 40h used at the pause,
        // escalation needs 40h more from Wed 09:00: Wed, Thu, Fri (24h), Mon 11-30 (32h), Tue 12-01 17:00 +08 = 09:00Z
        // instead of 11-27T09:00Z.
        ["pause-after-overdue"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T02:00Z", "acknowledgement", "CN", "a1"),
            Event("2026-11-23T01:00Z", "info-request", "CN", "i1"),
            Event("2026-11-25T01:00Z", "information", "US", "r1")),

        // Withdrawn Wed 11-18T01:00Z: ack already met at 02:00Z Mon; response and update stop as "stopped".
        ["withdrawn"] = () => Compute(Request("high", "2026-11-16T09:00+08:00", status: RequestStatus.Withdrawn, statusChangedAt: "2026-11-18T01:00Z"),
            Event("2026-11-16T02:00Z", "acknowledgement", "CN", "a1")),

        // Closed with no date: clocks stop at the last event (an unrelated "note" at 11-18T03:00Z): response met.
        ["closed-no-date"] = () => Compute(Request("high", "2026-11-16T09:00+08:00", status: RequestStatus.Closed),
            Event("2026-11-16T02:00Z", "acknowledgement", "CN", "a1"),
            Event("2026-11-18T03:00Z", "note", "CN", "n1")),

        // Closed Mon 11-23T01:00Z with no events: ack (due 11-16T09:00Z) and response (due 11-20T09:00Z) met late;
        // update cycle 0 is due exactly 11-23T01:00Z, so it is met.
        ["closed-late"] = () => Compute(Request("high", "2026-11-16T09:00+08:00", status: RequestStatus.Closed, statusChangedAt: "2026-11-23T01:00Z")),

        // US responds, across the fall-back weekend. Submitted Fri 2026-10-30 13:00 -04 (17:00Z); ack 16h:
        // at risk 12h = Fri 4h (to 17:00 EDT = 21:00Z) + Mon 11-02 09:00-17:00 EST (14:00-22:00Z) = Mon 22:00Z;
        // due Tue 11-03 09:00 EST + 4h = 13:00 EST = 18:00Z; escalates 32h = Tue (20h at 22:00Z), Wed 11-04 (28h),
        // Thu 11-05 09:00 + 4h = 13:00 EST = 18:00Z.
        ["us-medium-dst"] = () => Compute(Request("medium", "2026-10-30T13:00-04:00", requesting: "CN", responding: "US")),

        // Closure by the responder stops all clocks. Low ack P5D = 40h from Mon 09:00 +08 -> due Fri 11-20T09:00Z.
        ["closure"] = () => Compute(Request("low", "2026-11-16T09:00+08:00"),
            Event("2026-11-17T01:00Z", "closure", "CN", "c1")),

        // Acknowledgements from the requester and from a third party do not count.
        ["wrong-party"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T02:00Z", "acknowledgement", "US", "a1"),
            Event("2026-11-16T03:00Z", "acknowledgement", "CN-CERT", "a2")),

        // Critical on 24x7, submitted Sat 2026-11-21 10:00Z: ack at risk 3h = 13:00Z, due 4h = 14:00Z, escalates 8h
        // = 18:00Z; response due 24h = Sun 11-22 10:00Z.
        ["critical-24x7"] = () => Compute(Request("critical", "2026-11-21T10:00Z", requesting: "CN", responding: "US")),

        // Same instant, ties by EventId: reply "e1" is processed before info-request "e2", so the pause stays open.
        ["tie-pause-open"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-17T01:00Z", "info-request", "CN", "e2"),
            Event("2026-11-17T01:00Z", "information", "US", "e1")),

        // Same instant, ids swapped: info-request "e1" then reply "e2" - a zero-length pause, nothing excluded.
        ["tie-pause-closed"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-17T01:00Z", "information", "US", "e2"),
            Event("2026-11-17T01:00Z", "info-request", "CN", "e1")),

        // An ack dated an hour before submission (clock skew) counts at submission, 11-16T01:00Z: met.
        ["before-submission"] = () => Compute(Request("high", "2026-11-16T09:00+08:00"),
            Event("2026-11-16T00:00Z", "acknowledgement", "CN", "a1")),

        // Critical, submitted 2026-11-16T00:00Z; the response comes 30h later at 11-17T06:00Z. Response (due 24h =
        // 11-17T00:00Z) met late; ack (due 04:00Z) met late by the response; update cycle 0 (due 11-17T00:00Z) frozen
        // met-late.
        ["late-response-freezes-update"] = () => Compute(Request("critical", "2026-11-16T00:00Z"),
            Event("2026-11-17T06:00Z", "response", "CN", "r1")),

        // Events after the status change are ignored: withdrawn 11-17T01:00Z, a response a day later changes nothing.
        ["response-after-withdrawal"] = () => Compute(Request("high", "2026-11-16T09:00+08:00", status: RequestStatus.Withdrawn, statusChangedAt: "2026-11-17T01:00Z"),
            Event("2026-11-18T01:00Z", "response", "CN", "r1")),
    };

    private static ClockState Clock(string scenario, ClockKind kind) => Scenarios[scenario]()[kind];

    public static TheoryData<string, ClockKind, string?, string?, string?> Thresholds => new()
    {
        // scenario, clock, AtRiskAt, DueAt, EscalateAt (worked out at each scenario above)
        { "cn-high-silent", ClockKind.Acknowledgement, "2026-11-16T07:00Z", "2026-11-16T09:00Z", "2026-11-17T09:00Z" },
        { "cn-high-silent", ClockKind.Response, "2026-11-19T07:00Z", "2026-11-20T09:00Z", "2026-11-27T09:00Z" },
        { "cn-high-silent", ClockKind.Update, "2026-11-21T07:00Z", "2026-11-23T01:00Z", "2026-11-30T01:00Z" },
        { "cn-medium-silent", ClockKind.Acknowledgement, "2026-11-19T06:00Z", "2026-11-20T02:00Z", "2026-11-24T02:00Z" },
        { "update-cycles", ClockKind.Update, null, "2026-12-05T01:00Z", null },
        { "pause-resume", ClockKind.Response, "2026-11-23T07:00Z", "2026-11-24T09:00Z", "2026-12-01T09:00Z" },
        { "pause-resume", ClockKind.Update, "2026-11-23T07:00Z", "2026-11-25T01:00Z", null },
        { "pause-after-overdue", ClockKind.Response, "2026-11-19T07:00Z", "2026-11-20T09:00Z", "2026-12-01T09:00Z" },
        { "us-medium-dst", ClockKind.Acknowledgement, "2026-11-02T22:00Z", "2026-11-03T18:00Z", "2026-11-05T18:00Z" },
        { "closure", ClockKind.Acknowledgement, null, "2026-11-20T09:00Z", null },
        { "critical-24x7", ClockKind.Acknowledgement, "2026-11-21T13:00Z", "2026-11-21T14:00Z", "2026-11-21T18:00Z" },
        { "critical-24x7", ClockKind.Response, null, "2026-11-22T10:00Z", null },
        { "tie-pause-closed", ClockKind.Response, null, "2026-11-20T09:00Z", null },
    };

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void Thresholds_are_the_hand_computed_instants(string scenario, ClockKind kind, string? atRisk, string? due, string? escalate)
    {
        var clock = Clock(scenario, kind);

        // A null expectation means "not asserted" for at-risk and escalation; DueAt is always asserted.
        if (atRisk is not null)
        {
            Assert.Equal(At(atRisk), clock.AtRiskAt);
        }
        Assert.Equal(due is null ? null : At(due), clock.DueAt);
        if (escalate is not null)
        {
            Assert.Equal(At(escalate), clock.EscalateAt);
        }
    }

    public static TheoryData<string, ClockKind, string, string> Levels => new()
    {
        // scenario, clock, instant, expected level
        { "cn-high-silent", ClockKind.Acknowledgement, "2026-11-16T06:59Z", "pending" },
        { "cn-high-silent", ClockKind.Acknowledgement, "2026-11-16T07:00Z", "at-risk" },
        { "cn-high-silent", ClockKind.Acknowledgement, "2026-11-16T09:00Z", "overdue" },
        { "cn-high-silent", ClockKind.Acknowledgement, "2026-11-17T08:59Z", "overdue" },
        { "cn-high-silent", ClockKind.Acknowledgement, "2026-11-17T09:00Z", "escalated" },
        // Before submission the clock is pending.
        { "cn-high-silent", ClockKind.Response, "2026-11-15T00:00Z", "pending" },
        // CN medium: Fri 09:00 +08 (01:00Z) is 15h of 16h used: at risk.
        { "cn-medium-silent", ClockKind.Acknowledgement, "2026-11-20T01:00Z", "at-risk" },
        { "cn-medium-silent", ClockKind.Acknowledgement, "2026-11-20T02:00Z", "overdue" },
        { "cn-high-ack-on-time", ClockKind.Acknowledgement, "2026-11-16T04:59Z", "pending" },
        { "cn-high-ack-on-time", ClockKind.Acknowledgement, "2026-11-16T05:00Z", "met" },
        { "cn-high-ack-on-time", ClockKind.Acknowledgement, "2026-12-31T00:00Z", "met" },
        // Met late: overdue between the due (09:00Z) and the ack (10:00Z); the level before MetAt is what it was then.
        { "cn-high-ack-late", ClockKind.Acknowledgement, "2026-11-16T09:30Z", "overdue" },
        { "cn-high-ack-late", ClockKind.Acknowledgement, "2026-11-16T10:00Z", "met-late" },
        { "response-acknowledges", ClockKind.Acknowledgement, "2026-11-16T03:00Z", "met" },
        { "response-acknowledges", ClockKind.Update, "2026-11-16T03:00Z", "met" },
        // Update cycles: cycle 0 pending, cycle 1 at risk then overdue, cycle 2 pending again.
        { "update-cycles", ClockKind.Update, "2026-11-19T12:00Z", "pending" },
        { "update-cycles", ClockKind.Update, "2026-11-25T07:00Z", "at-risk" },
        { "update-cycles", ClockKind.Update, "2026-11-27T01:00Z", "overdue" },
        { "update-cycles", ClockKind.Update, "2026-11-28T01:00Z", "pending" },
        { "pause-resume", ClockKind.Response, "2026-11-18T01:00Z", "paused" },
        { "pause-resume", ClockKind.Update, "2026-11-18T01:00Z", "paused" },
        { "pause-resume", ClockKind.Response, "2026-11-19T01:00Z", "pending" },
        // Without the pause the response would be overdue from 11-20T09:00Z.
        { "pause-resume", ClockKind.Response, "2026-11-20T10:00Z", "pending" },
        { "pause-resume", ClockKind.Response, "2026-11-24T09:00Z", "overdue" },
        // A pause after the due does not hide the breach, and delays escalation (11-27T09:00Z -> 12-01T09:00Z).
        { "pause-after-overdue", ClockKind.Response, "2026-11-24T01:00Z", "overdue" },
        { "pause-after-overdue", ClockKind.Response, "2026-11-27T10:00Z", "overdue" },
        { "pause-after-overdue", ClockKind.Response, "2026-12-01T09:00Z", "escalated" },
        { "withdrawn", ClockKind.Response, "2026-11-17T05:00Z", "pending" },
        { "withdrawn", ClockKind.Response, "2026-11-18T01:00Z", "stopped" },
        { "withdrawn", ClockKind.Update, "2026-11-18T01:00Z", "stopped" },
        { "withdrawn", ClockKind.Acknowledgement, "2026-11-18T01:00Z", "met" },
        { "closed-no-date", ClockKind.Response, "2026-11-18T03:00Z", "met" },
        { "closed-late", ClockKind.Acknowledgement, "2026-11-23T01:00Z", "met-late" },
        { "closed-late", ClockKind.Response, "2026-11-23T01:00Z", "met-late" },
        { "closed-late", ClockKind.Update, "2026-11-23T01:00Z", "met" },
        { "closure", ClockKind.Response, "2026-11-17T01:00Z", "met" },
        { "wrong-party", ClockKind.Acknowledgement, "2026-11-16T09:00Z", "overdue" },
        { "tie-pause-open", ClockKind.Response, "2026-11-20T09:00Z", "paused" },
        { "tie-pause-closed", ClockKind.Response, "2026-11-20T09:00Z", "overdue" },
        { "late-response-freezes-update", ClockKind.Update, "2026-11-17T03:00Z", "overdue" },
        { "late-response-freezes-update", ClockKind.Update, "2026-11-17T06:00Z", "met-late" },
        { "late-response-freezes-update", ClockKind.Acknowledgement, "2026-11-17T06:00Z", "met-late" },
        { "response-after-withdrawal", ClockKind.Response, "2026-11-18T01:00Z", "stopped" },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public void LevelAt_gives_the_level_the_clock_had_then(string scenario, ClockKind kind, string instant, string level)
    {
        Assert.Equal(level, ClockLevels.Name(Clock(scenario, kind).LevelAt(At(instant))));
    }

    public static TheoryData<string, string, string> OverallLevels => new()
    {
        // The overall level is the worst clock: escalated > overdue > at-risk > paused > pending > met-late > met > stopped.
        { "cn-high-silent", "2026-11-16T05:00Z", "pending" },
        { "cn-high-silent", "2026-11-17T09:00Z", "escalated" },
        // Ack met, response and update paused.
        { "pause-resume", "2026-11-18T01:00Z", "paused" },
        { "withdrawn", "2026-11-17T05:00Z", "pending" },
        // Ack met, the others stopped: met ranks above stopped.
        { "withdrawn", "2026-11-18T02:00Z", "met" },
        { "response-acknowledges", "2026-11-16T02:00Z", "pending" },
        { "response-acknowledges", "2026-11-16T03:00Z", "met" },
        { "late-response-freezes-update", "2026-11-17T07:00Z", "met-late" },
    };

    [Theory]
    [MemberData(nameof(OverallLevels))]
    public void Request_level_is_the_worst_clock(string scenario, string instant, string level)
    {
        Assert.Equal(level, ClockLevels.Name(Scenarios[scenario]().LevelAt(At(instant))));
    }

    public static TheoryData<string, string, string?> NextChanges => new()
    {
        // From submission (01:00Z) the first change is the ack at risk at 07:00Z, then its due at 09:00Z.
        { "cn-high-silent", "2026-11-16T01:00Z", "2026-11-16T07:00Z" },
        { "cn-high-silent", "2026-11-16T07:00Z", "2026-11-16T09:00Z" },
        // After the ack escalates (11-17T09:00Z) the next change is the response at risk (11-19T07:00Z).
        { "cn-high-silent", "2026-11-17T09:00Z", "2026-11-19T07:00Z" },
        // Everything met at 03:00Z: nothing changes any more.
        { "response-acknowledges", "2026-11-16T03:00Z", null },
        // Waiting for the requester with nothing else running that can change: the open pause never ends.
        { "tie-pause-open", "2026-11-18T00:00Z", null },
        // Pause ends at the reply 11-19T01:00Z (paused -> pending).
        { "pause-resume", "2026-11-17T12:00Z", "2026-11-19T01:00Z" },
    };

    [Theory]
    [MemberData(nameof(NextChanges))]
    public void NextChangeAfter_finds_the_next_level_change(string scenario, string instant, string? expected)
    {
        Assert.Equal(expected is null ? null : At(expected), Scenarios[scenario]().NextChangeAfter(At(instant)));
    }

    [Fact]
    public void Cn_high_ack_submitted_monday_0900_is_due_0900_utc()
    {
        // Required case: Mon 2026-11-16 09:00 +08 + P1D (8h) = Mon 17:00 +08 = 2026-11-16T09:00Z
        var clocks = Compute(Request("high", "2026-11-16T09:00+08:00"));

        Assert.Equal(At("2026-11-16T09:00Z"), clocks.Acknowledgement.DueAt);
        Assert.Equal("CN", clocks.Acknowledgement.CalendarName);
        Assert.Equal(Duration.FromHours(8), clocks.Acknowledgement.Target);
    }

    [Fact]
    public void Cn_medium_ack_submitted_wednesday_1000_is_due_friday_0200_utc_and_at_risk_at_0100()
    {
        // Required case: Wed 2026-11-18 10:00 +08 + P2D (16h): Wed 7h, Thu 8h, Fri 09:00 + 1h = 10:00 +08 = 02:00Z.
        // At Fri 01:00Z (09:00 +08) 15h of 16h are used, past 75% (12h): at risk.
        var clocks = Compute(Request("medium", "2026-11-18T10:00+08:00"));

        Assert.Equal(At("2026-11-20T02:00Z"), clocks.Acknowledgement.DueAt);
        Assert.Equal(ClockLevel.AtRisk, clocks.Acknowledgement.LevelAt(At("2026-11-20T01:00Z")));
    }

    [Fact]
    public void Met_and_met_late_record_when_and_by_what()
    {
        var onTime = Clock("cn-high-ack-on-time", ClockKind.Acknowledgement);
        var late = Clock("cn-high-ack-late", ClockKind.Acknowledgement);

        Assert.Equal(At("2026-11-16T05:00Z"), onTime.MetAt);
        Assert.False(onTime.MetLate);
        Assert.Equal("a1", onTime.Current.EndedBy);
        Assert.Equal(At("2026-11-16T10:00Z"), late.MetAt);
        Assert.True(late.MetLate);
        Assert.Contains(late.Explanation, line => line.Contains("met late at Mon 2026-11-16 18:00 +08 (10:00Z) by acknowledgement a1, 1h (0h of working time) after due"));
    }

    [Fact]
    public void Update_clock_keeps_the_history_of_its_cycles()
    {
        var update = Clock("update-cycles", ClockKind.Update);

        Assert.Equal(2, update.Cycle);
        Assert.Equal(At("2026-11-28T01:00Z"), update.Start);
        Assert.Equal([ClockLevel.Met, ClockLevel.MetLate, null], update.Cycles.Select(cycle => cycle.Outcome));
        Assert.Equal(At("2026-11-27T01:00Z"), update.Cycles[1].DueAt);
        Assert.Equal("u2", update.Cycles[1].EndedBy);
        Assert.True(update.IsRunning);
        Assert.Contains(update.Explanation, line => line.StartsWith("cycle 1 starts", StringComparison.Ordinal) && line.Contains("status-update u1"));
    }

    [Fact]
    public void Pause_records_the_working_time_it_excluded_on_each_clocks_calendar()
    {
        var clocks = Scenarios["pause-resume"]();

        var responsePause = Assert.Single(clocks.Response.Pauses);
        Assert.Equal(new ClockPause(At("2026-11-17T01:00Z"), At("2026-11-19T01:00Z"), Duration.FromHours(16), "i1", "r1"), responsePause);
        // The update clock counts on 24x7, so the same pause excludes 48h there.
        Assert.Equal(Duration.FromHours(48), Assert.Single(clocks.Update.Pauses).WorkingTimeExcluded);
        Assert.Contains(clocks.Response.Explanation, line => line.Contains("16h of working time excluded"));
        Assert.False(clocks.Response.Paused);
        Assert.Empty(clocks.Acknowledgement.Pauses);
    }

    [Fact]
    public void Open_pause_leaves_the_due_unknown_and_the_clock_paused()
    {
        var response = Clock("tie-pause-open", ClockKind.Response);

        Assert.True(response.Paused);
        Assert.Null(response.DueAt);
        Assert.Null(Assert.Single(response.Pauses).To);
        Assert.Contains(response.Explanation, line => line.Contains("waiting for the requesting party"));
    }

    [Fact]
    public void Withdrawal_stops_running_clocks_without_meeting_them()
    {
        var clocks = Scenarios["withdrawn"]();

        Assert.Equal(At("2026-11-18T01:00Z"), clocks.Response.StoppedAt);
        Assert.Null(clocks.Response.MetAt);
        Assert.Equal("status:withdrawn", clocks.Update.Current.EndedBy);
        Assert.Equal(At("2026-11-16T02:00Z"), clocks.Acknowledgement.MetAt);
    }

    [Fact]
    public void Closed_without_a_date_stops_at_the_last_event()
    {
        var clocks = Scenarios["closed-no-date"]();

        Assert.Equal(At("2026-11-18T03:00Z"), clocks.Response.MetAt);
        Assert.Equal(At("2026-11-18T03:00Z"), clocks.Update.MetAt);
        Assert.Equal(At("2026-11-16T02:00Z"), clocks.Acknowledgement.MetAt);
    }

    [Fact]
    public void Event_dated_before_submission_counts_at_submission()
    {
        Assert.Equal(At("2026-11-16T01:00Z"), Clock("before-submission", ClockKind.Acknowledgement).MetAt);
    }

    [Fact]
    public void Explanation_names_calendar_target_and_due_in_local_time()
    {
        var ack = Clock("cn-high-silent", ClockKind.Acknowledgement);

        Assert.StartsWith("acknowledgement clock: target P1D = 8h of working time on calendar CN (Asia/Shanghai)", ack.Explanation[0]);
        Assert.Contains(ack.Explanation, line => line.Contains("due at Mon 2026-11-16 17:00 +08 (09:00Z)"));
        Assert.Equal("overdue: due 2026-11-16T09:00:00Z; escalates at 2026-11-17T09:00:00Z", ack.ExplainLevelAt(At("2026-11-16T10:00Z")));
    }

    [Fact]
    public void Missing_party_calendar_is_a_clear_error()
    {
        var error = Assert.Throws<SlaConfigurationException>(() => Compute(Request("high", "2026-11-16T09:00+08:00", responding: "FR")));

        Assert.Contains("calendar of party 'FR'", error.Message);
    }

    [Fact]
    public void Unknown_priority_is_a_clear_error()
    {
        var error = Assert.Throws<SlaConfigurationException>(() => Compute(Request("urgent", "2026-11-16T09:00+08:00")));

        Assert.Contains("unknown priority 'urgent'", error.Message);
    }

    [Fact]
    public void Thresholds_follow_the_policy()
    {
        var policy = SlaPolicy.Parse("""
            {"thresholds":{"atRisk":0.5,"escalateAfter":0.5},
             "rules":[{"priority":"high","calendar":"24x7","acknowledgement":"PT4H","response":"PT8H","update":"PT8H"}]}
            """);

        var clocks = ClockEngine.Compute(Request("high", "2026-11-21T10:00Z"), [], policy, PartyCalendar);

        // 24x7 ack 4h from 10:00Z: at risk at 50% = 12:00Z, due 14:00Z, escalated a further 50% (2h) later = 16:00Z
        Assert.Equal(At("2026-11-21T12:00Z"), clocks.Acknowledgement.AtRiskAt);
        Assert.Equal(At("2026-11-21T14:00Z"), clocks.Acknowledgement.DueAt);
        Assert.Equal(At("2026-11-21T16:00Z"), clocks.Acknowledgement.EscalateAt);
        Assert.Equal("24x7", clocks.Acknowledgement.CalendarName);
    }

    [Fact]
    public void Level_names_are_the_public_contract()
    {
        Assert.Equal(
            ["pending", "at-risk", "overdue", "escalated", "met", "met-late", "paused", "stopped"],
            Enum.GetValues<ClockLevel>().Select(ClockLevels.Name));
        Assert.True(ClockLevels.TryParse("met-late", out var parsed));
        Assert.Equal(ClockLevel.MetLate, parsed);
        var byBadness = Enum.GetValues<ClockLevel>().OrderByDescending(ClockLevels.Severity).Select(ClockLevels.Name);
        Assert.Equal(["escalated", "overdue", "at-risk", "paused", "pending", "met-late", "met", "stopped"], byBadness);
    }
}
