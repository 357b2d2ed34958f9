using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Reporting;

/// <summary>
/// Done-when of the reporting issue: from <see cref="ReportScenario"/>, PeriodStats and the CSV/JSON report give exactly
/// the figures worked out here by hand.
/// </summary>
/// <remarks>
/// Hand computation (times local to the responder; CN = UTC+8 all year; US = UTC-4 until 2026-11-01, UTC-5 after;
/// working hours 09:00-17:00 Mon-Fri; report instant 2027-01-15T00:00Z).
///
/// CN, investigation/high, 2026-H1 (A1, A2, A3):
///   A1 Mon 03-02 09:00. Ack 10:00, due 17:00: on time. Response Wed 03-04 13:00 = 8+8+4 = 20 h; due Fri 03-06 17:00:
///      on time. Update due 03-09 01:00Z (168 h), answered before: not required. Quality: findings 40 + evidence 30 +
///      mitigation 20 + no later sighting 10 = 100.
///   A2 Mon 03-09 09:00. No ack; the response Tue 03-17 11:00 acknowledges: ack due Mon 17:00, late; ack escalation at
///      Tue 03-10 17:00 passed while it ran: escalated. Response = 40 (Mar 9-13) + 8 (Mon 16) + 2 = 50 h; due Fri 03-13
///      17:00: late; escalates Fri 03-20: not reached. Update due 03-16 01:00Z, ended 03-17 03:00Z: required, late.
///      Quality: findings 40, evidence no, no mitigation = 40.
///   A3 Mon 06-22 09:00. Ack 09:30: on time. Status update Mon 06-29 08:00 (00:00Z) before its due 06-29 01:00Z: required,
///      on time; the next cycle (due 07-06) ends at the response: not required. Response Thu 07-02 10:00 = 40 + 8 + 8 + 8
///      + 1 = 65 h; due Fri 06-26 17:00: late; escalates Fri 07-03: not reached. Still unanswered on 07-01T00:00Z: open at
///      period end. Quality: 40 + 30 + 20, but sighting S-1 on 07-10 after the block: no recurrence points = 90.
///   Row: received 3, ack on time 2 (A1, A3), responded on time 1 (A1), responded 3; hours {20, 50, 65}: median 50,
///   P90 = nearest rank ceil(0.9*3) = 3rd = 65; updates required 2 (A2, A3), on time 1 (A3): share 0.5; breaches 2 (A2,
///   A3); escalations 1 (A2); open at period end 1 (A3); quality (100+40+90)/3 = 76.67 over 3.
///
/// CN, investigation/high, 2026-H2 (A4, A5):
///   A4 Mon 11-02 09:00. Ack 16:00: on time. Response Fri 11-06 17:00 = 40 h, exactly the due instant: on time (met at
///      or before due). Quality: 40 + 30, mitigation "none" is not a stated mitigation = 70.
///   A5 Mon 12-07 09:00, never answered: ack and response escalated (12-08, 12-18), update due 12-14 01:00Z passed:
///      required, late. Open at 2027-01-01. Not scored (no response event).
///   Row: received 2, ack 1, responded on time 1, responded 1; median 40, P90 40; updates 1 required, 0 on time: share 0;
///   breaches 1; escalations 1; open 1; quality 70 over 1.
///
/// US, evidence/medium, 2026-H1 (B1): Mon 04-06 09:00 EDT. Ack Tue 10:00, due Tue 17:00 (16 h): on time. Response Fri
///   04-17 12:00 = 40 + 32 + 3 = 75 h; due Fri 04-24 17:00 (120 h): on time. Update due 04-20 13:00Z (336 h): not required.
///   Quality 100: sighting S-3 (04-10) came before the mitigation (04-17), so it is no recurrence.
///   Row: 1, 1, 1, 1; 75, 75; updates 0/0: share empty; 0 breaches, 0 escalations, 0 open; quality 100 over 1.
///
/// US, investigation/high, 2026-H1 (B2): Mon 05-18 09:00 EDT. Ack 11:00: on time. Response Wed 05-27 15:00 = 40 + (Mon
///   05-25 Memorial Day: 0) + 8 + 6 = 54 h; due Fri 05-22 17:00: late; escalates Mon 06-01: not reached. Update due
///   05-25 13:00Z, ended 05-27 19:00Z: required, late. Quality: findings no, evidence 30, mitigation 20, sighting S-2
///   (06-10) after the seizure: recurrence = 50.
///   Row: 1, 1, 0, 1; 54, 54; updates 1/0: share 0; 1 breach, 0 escalations, 0 open; quality 50 over 1.
///
/// US, investigation/high, 2026-H2 (B3, B4, B5):
///   B3 Mon 10-26 09:00 EDT. Ack 12:00: on time. Status update Mon 11-02 08:00 EST = 13:00Z, exactly its due 10-26 13:00Z
///      + 168 h: on time. Response Tue 11-03 10:00 EST = 40 + 8 + 1 = 49 h; due Fri 10-30 17:00 EDT: late. Quality 40 +
///      0 + 20 + 10 = 70.
///   B4 Mon 11-16 09:00 EST. Ack 10:00: on time. Response Thu 11-19 16:00 = 8+8+8+7 = 31 h: on time. Quality 40 + 30 = 70.
///   B5 Mon 12-14 09:00 EST, withdrawn Tue 12-15 12:00 EST. Ack due Mon 17:00 passed while running: breach; its
///      escalation Tue 17:00 came after the withdrawal: none. Not open at period end (withdrawn). Not scored.
///   Row: received 3, ack 2 (B3, B4), responded on time 1 (B4), responded 2; hours {31, 49}: median 40, P90 = 2nd = 49;
///   updates required 1 (B3 cycle 0), on time 1: share 1; breaches 2 (B3, B5); escalations 0; open 0; quality 70 over 2.
/// </remarks>
public sealed class PeriodStatsTests : IAsyncLifetime
{
    private readonly TestStorage _test = new(ReportScenario.AsOf);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    private static readonly string[] Header =
    [
        "Period,RespondingParty,Category,Priority,RequestsReceived,AcknowledgedOnTime,RespondedOnTime,Responded,MedianResponseHours,P90ResponseHours,UpdatesRequired,UpdatesOnTime,UpdateOnTimeShare,Breaches,Escalations,OpenAtPeriodEnd,QualityScore,QualityScored,ComputedAt,AcknowledgementsDue,ResponsesDue,RespondedLate,ResponsesOverdue,ResponsesNotYetDue,ResponsesWithdrawn",
    ];

    public static readonly Dictionary<string, string[]> Expected = new()
    {
        ["2026-H1"] =
        [
            "2026-H1,CN,investigation,high,3,2,1,3,50,65,2,1,0.5,2,1,1,76.67,3,2027-01-15T00:00:00Z,3,3,2,0,0,0",
            "2026-H1,US,evidence,medium,1,1,1,1,75,75,0,0,,0,0,0,100,1,2027-01-15T00:00:00Z,1,1,0,0,0,0",
            "2026-H1,US,investigation,high,1,1,0,1,54,54,1,0,0,1,0,0,50,1,2027-01-15T00:00:00Z,1,1,1,0,0,0",
        ],
        ["2026-H2"] =
        [
            "2026-H2,CN,investigation,high,2,1,1,1,40,40,1,0,0,1,1,1,70,1,2027-01-15T00:00:00Z,2,2,0,1,0,0",
            "2026-H2,US,investigation,high,3,2,1,2,40,49,1,1,1,2,0,0,70,2,2027-01-15T00:00:00Z,2,2,1,0,0,1",
        ],
    };

    [Fact]
    public async Task PeriodStats_and_the_CSV_and_JSON_reports_give_the_hand_computed_figures()
    {
        await ReportScenario.SeedAsync(_test);
        var reports = _test.Services.GetRequiredService<ReportService>();

        foreach (var (name, expected) in Expected)
        {
            var report = await reports.ComputeAsync(ReportPeriod.Parse(name), ReportScenario.AsOf, CancellationToken.None);
            await reports.SaveStatsAsync(report, CancellationToken.None);

            // The CSV report, line for line.
            var csv = ReportFormats.StatsToCsv(report).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([.. Header, .. expected], csv);

            // The table, read back as a reporting tool would: plain TableClient, typed columns.
            var table = new TableClient(AzuriteServer.ConnectionString, _test.Storage.Names.Table("PeriodStats"));
            var rows = new List<string>();
            await foreach (var row in table.QueryAsync<TableEntity>($"PartitionKey eq '{name}'"))
            {
                rows.Add(string.Join(',',
                    row.GetString("Period"), row.GetString("RespondingParty"), row.GetString("Category"), row.GetString("Priority"),
                    row.GetInt32("RequestsReceived"), row.GetInt32("AcknowledgedOnTime"), row.GetInt32("RespondedOnTime"), row.GetInt32("Responded"),
                    Number(row.GetDouble("MedianResponseHours")), Number(row.GetDouble("P90ResponseHours")), row.GetInt32("UpdatesRequired"),
                    row.GetInt32("UpdatesOnTime"), Number(row.GetDouble("UpdateOnTimeShare")), row.GetInt32("Breaches"), row.GetInt32("Escalations"),
                    row.GetInt32("OpenAtPeriodEnd"), Number(row.GetDouble("QualityScore")), row.GetInt32("QualityScored"),
                    row.GetDateTimeOffset("ComputedAt")!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                    row.GetInt32("AcknowledgementsDue"), row.GetInt32("ResponsesDue"), row.GetInt32("RespondedLate"), row.GetInt32("ResponsesOverdue"),
                    row.GetInt32("ResponsesNotYetDue"), row.GetInt32("ResponsesWithdrawn")));
            }
            Assert.Equal(expected, rows);

            // The JSON report carries the same figures.
            using var json = JsonDocument.Parse(ReportFormats.ToJson(report));
            var stats = json.RootElement.GetProperty("stats").EnumerateArray().ToList();
            Assert.Equal(expected.Length, stats.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                var cells = expected[i].Split(',');
                var s = stats[i];
                Assert.Equal(cells[1], s.GetProperty("respondingParty").GetString());
                Assert.Equal(int.Parse(cells[4]), s.GetProperty("requestsReceived").GetInt32());
                Assert.Equal(int.Parse(cells[5]), s.GetProperty("acknowledgedOnTime").GetInt32());
                Assert.Equal(int.Parse(cells[6]), s.GetProperty("respondedOnTime").GetInt32());
                Assert.Equal(double.Parse(cells[8]), s.GetProperty("medianResponseHours").GetDouble());
                Assert.Equal(double.Parse(cells[9]), s.GetProperty("p90ResponseHours").GetDouble());
                Assert.Equal(cells[12], Number(s.GetProperty("updateOnTimeShare") is { ValueKind: JsonValueKind.Number } share ? share.GetDouble() : null));
                Assert.Equal(int.Parse(cells[13]), s.GetProperty("breaches").GetInt32());
                Assert.Equal(int.Parse(cells[14]), s.GetProperty("escalations").GetInt32());
                Assert.Equal(int.Parse(cells[15]), s.GetProperty("openAtPeriodEnd").GetInt32());
                Assert.Equal(double.Parse(cells[16]), s.GetProperty("qualityScore").GetDouble());
            }
        }
    }

    [Fact]
    public async Task Each_request_s_quality_score_is_explained_and_a_quarter_holds_only_its_own_requests()
    {
        await ReportScenario.SeedAsync(_test);
        var reports = _test.Services.GetRequiredService<ReportService>();

        var h1 = await reports.ComputeAsync(ReportPeriod.Parse("2026-H1"), ReportScenario.AsOf, CancellationToken.None);
        var a3 = h1.Requests.Single(r => r.RequestId == "A3");
        Assert.Equal(90, a3.QualityScore);
        Assert.Equal(
            [
                "+40 findings: reported in response CN-6 (liaison-cn, 2026-07-02T02:00:00Z)",
                "+30 evidence: included in response CN-6 (liaison-cn, 2026-07-02T02:00:00Z)",
                "+20 mitigation: 'blocked the IP range' stated in response CN-6 (liaison-cn, 2026-07-02T02:00:00Z)",
                "+0 recurrence: sighting S-1 from cert-x at 2026-07-10T00:00:00Z, after the mitigation of 2026-07-02T02:00:00Z",
            ],
            a3.QualityReasons);
        Assert.True(a3.OpenAtPeriodEnd);
        Assert.Equal(65, a3.ResponseHours);
        var b1 = h1.Requests.Single(r => r.RequestId == "B1");
        Assert.Equal((100, false), (b1.QualityScore, b1.QualityRecurrence));

        // Per party: CN 3 requests, US 2 (B1 + B2): median of {75, 54} = 64.5.
        Assert.Equal(["CN 3 50 65", "US 2 64.5 75"], h1.Parties.Select(p => $"{p.RespondingParty} {p.Metrics.RequestsReceived} {p.Metrics.MedianResponseHours} {p.Metrics.P90ResponseHours}"));

        var h2 = await reports.ComputeAsync(ReportPeriod.Parse("2026-H2"), ReportScenario.AsOf, CancellationToken.None);
        var a5 = h2.Requests.Single(r => r.RequestId == "A5");
        Assert.Null(a5.QualityScore);
        Assert.Equal(["not scored: no response, status update or closure from CN yet"], a5.QualityReasons);
        Assert.Equal("escalated", a5.Level);
        Assert.Contains(a5.ClockExplanations["response"], line => line.StartsWith("escalated:", StringComparison.Ordinal));

        // 2026-Q2 = April to June: B1, B2 and A3, not the March requests A1 and A2.
        var q2 = await reports.ComputeAsync(ReportPeriod.Parse("2026-Q2"), ReportScenario.AsOf, CancellationToken.None);
        Assert.Equal(["A3", "B1", "B2"], q2.Requests.Select(r => r.RequestId));
        Assert.Equal(["CN|investigation|high 1", "US|evidence|medium 1", "US|investigation|high 1"], q2.Stats.Select(s => $"{s.RowKey} {s.RequestsReceived}"));
    }

    private static string Number(double? value) => value?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
