using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Reporting;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Reporting;

/// <summary>
/// The review pack's words and pictures against its figures, on a scenario evaluated in the middle of the period, where
/// most of one party's responses are not yet due (the case a new user found counted as failures).
/// </summary>
/// <remarks>
/// Hand computation (high priority: ack 8 working hours, response 40, update 168 h on 24x7; escalation a further 100%;
/// CN 09:00-17:00 Mon-Fri UTC+8, US 09:00-17:00 Mon-Fri America/New_York; report instant 2026-12-10T00:00Z = Thu 08:00 in
/// Beijing, Wed 19:00 in New York).
///
/// CN (6 requests, each acknowledged at 10:00 on its day: 6 acknowledgements due, 6 on time):
///   C1 Mon 11-02 09:00, response Wed 11-04 10:00, due Fri 11-06 17:00: on time. Update due 11-09 01:00Z: not required.
///   C2 Mon 12-07, C3 and C4 Tue 12-08, C5 and C6 Wed 12-09, all 09:00, unanswered: response due Fri 12-11, Mon 12-14 and
///   Tue 12-15 17:00, all after the instant: not yet due. No breach; their update clocks run to 12-14 01:00Z and later.
///   Received 6; responses due 1, on time 1 (100%), late 0, overdue 0; not yet due 5; withdrawn 0. Breaches 0,
///   escalations 0, open at the cutoff (the instant) 5. By month: Nov 1/1; Dec 0 due, 5 not yet due.
/// US (3 requests):
///   U1 Mon 07-06 09:00 EDT, ack 10:00, response Mon 07-13 12:00, due Fri 07-10 17:00: late (escalation Fri 07-17 not
///   reached). Breach.
///   U2 Mon 09-14 09:00 EDT, ack 09:30, never answered: response due Fri 09-18 17:00, escalates Fri 09-25 17:00 EDT
///   (21:00Z): overdue, escalated. Open.
///   U3 Mon 10-05 09:00 EDT, withdrawn 12:00 the same day, before anything was due: withdrawn, no breach.
///   Received 3; acknowledgements due 2 (U3's stopped), on time 2; responses due 2, on time 0 (0%), late 1, overdue 1;
///   not yet due 0; withdrawn 1. Breaches 2, escalations 1 (U2, by its response clock), open 1.
///   By month: Jul 0/1, Sep 0/1, Oct nothing due.
/// </remarks>
public sealed partial class ReviewPackTests : IAsyncLifetime
{
    public static readonly Instant AsOf = Instant.FromUtc(2026, 12, 10, 0, 0);

    public const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,status,status_changed_at,summary
        C1,US,CN,investigation,high,2026-11-02T09:00:00+08:00,open,,answered on time
        C2,US,CN,investigation,high,2026-12-07T09:00:00+08:00,open,,not yet due
        C3,US,CN,investigation,high,2026-12-08T09:00:00+08:00,open,,not yet due
        C4,US,CN,investigation,high,2026-12-08T09:00:00+08:00,open,,not yet due
        C5,US,CN,investigation,high,2026-12-09T09:00:00+08:00,open,,not yet due
        C6,US,CN,investigation,high,2026-12-09T09:00:00+08:00,open,,请核查该域名的注册信息
        U1,CN,US,investigation,high,2026-07-06T09:00:00-04:00,open,,answered late
        U2,CN,US,investigation,high,2026-09-14T09:00:00-04:00,open,,never answered
        U3,CN,US,investigation,high,2026-10-05T09:00:00-04:00,withdrawn,2026-10-05T12:00:00-04:00,withdrawn early
        """;

    public const string CnFeed = """
        record_id,reported_at,reporter,kind,request_refs,summary,findings,evidence,mitigation
        CN-1,2026-11-02T10:00:00+08:00,CN,acknowledgement,C1,received,,,
        CN-2,2026-11-04T10:00:00+08:00,CN,response,C1,answer,yes,yes,domain suspended
        CN-3,2026-12-07T10:00:00+08:00,CN,acknowledgement,C2,received,,,
        CN-4,2026-12-08T10:00:00+08:00,CN,acknowledgement,C3,received,,,
        CN-5,2026-12-08T10:00:00+08:00,CN,acknowledgement,C4,received,,,
        CN-6,2026-12-09T10:00:00+08:00,CN,acknowledgement,C5,received,,,
        CN-7,2026-12-09T10:00:00+08:00,CN,acknowledgement,C6,received,,,
        """;

    public const string UsFeed = """
        record_id,reported_at,reporter,kind,request_refs,summary,findings,evidence,mitigation
        US-1,2026-07-06T10:00:00-04:00,US,acknowledgement,U1,received,,,
        US-2,2026-07-13T12:00:00-04:00,US,response,U1,answer,yes,no,
        US-3,2026-09-14T09:30:00-04:00,US,acknowledgement,U2,received,,,
        """;

    private readonly TestStorage _test = new(AsOf);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    internal static async Task SeedAsync(TestStorage test)
    {
        await test.PushAsync("register-2026-h2.csv", Register, FeedKind.Requests);
        await test.PushAsync("cn-2026-h2.csv", CnFeed, FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("us-2026-h2.csv", UsFeed, FeedKind.Incidents, "liaison-us");
        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(summary.Failures);
        Assert.All(summary.Feeds, f => Assert.Equal((FeedOutcomes.Processed, 0), (f.Outcome, f.Rejects)));
    }

    private async Task<ReviewReport> ComputeAsync()
    {
        await SeedAsync(_test);
        return await _test.Services.GetRequiredService<ReportService>().ComputeAsync(ReportPeriod.Parse("2026-H2"), AsOf, CancellationToken.None);
    }

    [GeneratedRegex("""<svg\b[^>]*\bid="(?<id>chart-[a-z-]+)"(?<body>.*?)</svg>""", RegexOptions.Singleline)]
    private static partial Regex Chart();

    [GeneratedRegex(@"^(?<party>\S+) received (?<received>\d+) request\(s\)\. Of the (?<due>\d+) response\(s\) due by [^,]+, (?<onTime>\d+) came on time \((?<pct>[^)]+)\), (?<late>\d+) late and (?<overdue>\d+) are overdue; (?<notYetDue>\d+) not yet due and (?<withdrawn>\d+) withdrawn\. (?<breaches>\d+) had a breach, (?<escalations>\d+) escalated to the hotline level, (?<open>\d+) still open at the period's end\.$")]
    private static partial Regex Sentence();

    [Fact]
    public async Task Responses_not_yet_due_are_their_own_category_never_a_failure()
    {
        var report = await ComputeAsync();

        var figures = report.Parties.ToDictionary(p => p.RespondingParty, p => p.Metrics);
        var cn = figures["CN"];
        Assert.Equal((6, 6, 6), (cn.RequestsReceived, cn.AcknowledgementsDue, cn.AcknowledgedOnTime));
        Assert.Equal((1, 1, 0, 0, 5, 0), (cn.ResponsesDue, cn.RespondedOnTime, cn.RespondedLate, cn.ResponsesOverdue, cn.ResponsesNotYetDue, cn.ResponsesWithdrawn));
        Assert.Equal((0, 0, 5), (cn.Breaches, cn.Escalations, cn.OpenAtPeriodEnd));
        var us = figures["US"];
        Assert.Equal((3, 2, 2), (us.RequestsReceived, us.AcknowledgementsDue, us.AcknowledgedOnTime));
        Assert.Equal((2, 0, 1, 1, 0, 1), (us.ResponsesDue, us.RespondedOnTime, us.RespondedLate, us.ResponsesOverdue, us.ResponsesNotYetDue, us.ResponsesWithdrawn));
        Assert.Equal((2, 1, 1), (us.Breaches, us.Escalations, us.OpenAtPeriodEnd));

        Assert.Equal(
            ["2026-07 CN 0 0 0", "2026-07 US 1 0 0", "2026-08 CN 0 0 0", "2026-08 US 0 0 0", "2026-09 CN 0 0 0", "2026-09 US 1 0 0",
             "2026-10 CN 0 0 0", "2026-10 US 0 0 0", "2026-11 CN 1 1 0", "2026-11 US 0 0 0", "2026-12 CN 0 0 5", "2026-12 US 0 0 0"],
            report.OnTimeByMonth.Select(m => $"{m.Month} {m.RespondingParty} {m.Decided} {m.OnTime} {m.NotYetDue}"));

        var html = ReviewPackHtml.Render(report);
        var sentences = Regex.Matches(html, """<p lang="en" class="party-sentence" data-party="[^"]+">([^<]*)</p>""").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(
            [
                "CN received 6 request(s). Of the 1 response(s) due by 10 Dec 2026 00:00 UTC, 1 came on time (100%), 0 late and 0 are overdue; 5 not yet due and 0 withdrawn. 0 had a breach, 0 escalated to the hotline level, 5 still open at the period's end.",
                "US received 3 request(s). Of the 2 response(s) due by 10 Dec 2026 00:00 UTC, 0 came on time (0%), 1 late and 1 are overdue; 0 not yet due and 1 withdrawn. 2 had a breach, 1 escalated to the hotline level, 1 still open at the period's end.",
            ],
            sentences);
        Assert.Contains("""data-figure="responded-on-time" data-value="1" data-due="1">1 of 1 due (100%)</td>""", html);
        Assert.Contains("""data-party="CN" data-figure="responses-not-yet-due">5</td>""", html);

        // The escalated table names what escalated and when, and the level at the pack's instant.
        Assert.Matches("""<tr data-request="U2">.*<td class="t">response, 25 Sep 2026 21:00 UTC</td><td class="t level">escalated</td>""", html);
        Assert.Contains("Level at 10 Dec 2026 00:00 UTC", html);
    }

    [Fact]
    public async Task Every_figure_of_the_sentences_agrees_with_the_tables_and_the_charts()
    {
        var report = await ComputeAsync();
        var html = ReviewPackHtml.Render(report);

        // Charts: the on-time bars are labelled "on time/due" exactly as the month table's cells.
        var charts = Chart().Matches(html).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["body"].Value);
        var barLabels = Regex.Matches(charts["chart-on-time"], @">(\d+)/(\d+)</text>").Select(m => m.Groups[1].Value + "/" + m.Groups[2].Value).Order(StringComparer.Ordinal).ToList();
        var cells = Regex.Matches(html, """<td data-month="[^"]+" data-on-time="(\d+)" data-due="(\d+)" data-not-yet-due="(\d+)">""")
            .Select(m => (OnTime: int.Parse(m.Groups[1].Value), Due: int.Parse(m.Groups[2].Value), NotYetDue: int.Parse(m.Groups[3].Value))).ToList();
        Assert.Equal(12, cells.Count);
        Assert.Equal(cells.Where(c => c.Due > 0).Select(c => $"{c.OnTime}/{c.Due}").Order(StringComparer.Ordinal), barLabels);
        Assert.Equal(["0/1", "0/1", "1/1"], barLabels);

        // The response-time bars count the responses that came (C1 20 h of 40 = 50%; U1 43 h of 40 = 107.5%).
        var countLabels = Regex.Matches(charts["chart-response-times"], @">(\d+)</text>").Select(m => int.Parse(m.Groups[1].Value)).Sum();
        Assert.Equal(report.Parties.Sum(p => p.Metrics.Responded), countLabels - AxisNumbers(charts["chart-response-times"]));

        // Sentences: every number equals the summary table's cell and the sums of the month table.
        foreach (var party in report.Parties)
        {
            var p = party.RespondingParty;
            var sentence = Sentence().Match(WebUtility.HtmlDecode(Regex.Match(html, $"""<p lang="en" class="party-sentence" data-party="{p}">([^<]*)</p>""").Groups[1].Value));
            Assert.True(sentence.Success, $"the sentence of {p} does not read as expected");
            int Figure(string name) => int.Parse(sentence.Groups[name].Value);
            string Cell(string figure) => Regex.Match(html, $"""<td data-party="{p}" data-figure="{figure}"[^>]*>([^<]*)</td>""").Groups[1].Value;
            var due = int.Parse(Regex.Match(html, $"""data-party="{p}" data-figure="responded-on-time" data-value="(\d+)" data-due="(\d+)" """.TrimEnd()).Groups[2].Value);

            Assert.Equal(Figure("received").ToString(CultureInfo.InvariantCulture), Cell("requests-received"));
            Assert.Equal(Figure("due"), due);
            Assert.StartsWith($"{Figure("onTime")} of {Figure("due")} due ({sentence.Groups["pct"].Value})", Cell("responded-on-time"));
            Assert.Equal(Figure("late").ToString(CultureInfo.InvariantCulture), Cell("responded-late"));
            Assert.Equal(Figure("overdue").ToString(CultureInfo.InvariantCulture), Cell("responses-overdue"));
            Assert.Equal(Figure("notYetDue").ToString(CultureInfo.InvariantCulture), Cell("responses-not-yet-due"));
            Assert.Equal(Figure("withdrawn").ToString(CultureInfo.InvariantCulture), Cell("responses-withdrawn"));
            Assert.Equal(Figure("breaches").ToString(CultureInfo.InvariantCulture), Cell("breaches"));
            Assert.Equal(Figure("escalations").ToString(CultureInfo.InvariantCulture), Cell("escalations"));
            Assert.Equal(Figure("open").ToString(CultureInfo.InvariantCulture), Cell("open-at-period-end"));
            Assert.Equal(Figure("received"), Figure("onTime") + Figure("late") + Figure("overdue") + Figure("notYetDue") + Figure("withdrawn"));

            var months = Regex.Matches(html, $"""<tr data-party="{p}"><td class="t">{p}</td>(<td data-month=.*?)</tr>""").Single().Groups[1].Value;
            var partyCells = Regex.Matches(months, """data-on-time="(\d+)" data-due="(\d+)" data-not-yet-due="(\d+)" """.TrimEnd())
                .Select(m => (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value))).ToList();
            Assert.Equal((Figure("onTime"), Figure("due"), Figure("notYetDue")), (partyCells.Sum(c => c.Item1), partyCells.Sum(c => c.Item2), partyCells.Sum(c => c.Item3)));

            // The trend's last sample is the cutoff: its open and overdue counts are the sentence's open and overdue.
            var last = report.OpenOverdueTrend.Where(t => t.RespondingParty == p).MaxBy(t => t.At)!;
            Assert.Equal((Figure("open"), Figure("overdue")), (last.Open, last.OpenOverdue));
        }
    }

    /// <summary>The sum of the count axis's tick labels (whole numbers drawn as text), to take them out of the bar-label sum.</summary>
    private static int AxisNumbers(string svg)
    {
        var ticks = Regex.Matches(svg, """<text[^>]*text-anchor="end"[^>]*>(\d+)</text>""").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        return ticks.Sum();
    }

    [Fact]
    public async Task The_month_axes_show_every_month_of_the_period_including_December()
    {
        var report = await ComputeAsync();
        var html = ReviewPackHtml.Render(report);
        var charts = Chart().Matches(html).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["body"].Value);
        string[] months = ["Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026"];
        Assert.Equal(months, Regex.Matches(charts["chart-on-time"], @">([A-Z][a-z]{2} \d{4})</text>").Select(m => m.Groups[1].Value));
        // The trend spans the period, with a tick at each month's first day and the period's end.
        Assert.Equal([.. months, "Jan 2027"], Regex.Matches(charts["chart-overdue-trend"], @">([A-Z][a-z]{2} \d{4})</text>").Select(m => m.Groups[1].Value));
        // Charts scale to the page width instead of a fixed size.
        Assert.All(charts.Keys, id => Assert.Matches($"""<svg id="{id}" class="chart"[^>]* viewBox="0 0 1100 360" """.TrimEnd(), html));
        Assert.DoesNotMatch("""<svg id="chart-[a-z-]+"[^>]* width=""", html);
    }

    [Fact]
    public async Task Explanations_name_events_by_source_and_record_not_by_storage_key()
    {
        var report = await ComputeAsync();
        var html = ReviewPackHtml.Render(report);
        Assert.Contains("liaison-us/US-2", html);
        // A RequestEvents RowKey is inverted ticks, '|', source, '|', record: none may reach the page.
        Assert.DoesNotMatch(@"\d{19}\|", html);
        Assert.DoesNotMatch(@"\d{19}\|", string.Join('\n', report.Requests.SelectMany(r => r.ClockExplanations.Values.SelectMany(l => l))));
    }

    [Fact]
    public async Task The_Chinese_pack_has_Chinese_headings_labels_chart_titles_and_dates_and_keeps_request_text_as_written()
    {
        var report = await ComputeAsync();
        var zh = ReviewPackHtml.Render(report, PackLanguage.Zh);
        Assert.Contains("<html lang=\"zh-Hans\">", zh);
        foreach (var text in new[] { "半年度审议材料：2026-H2", "目录", "按答复方的执行摘要", "及时性", "已升级的请求", "答复质量", "数据完整性", "未到期", "按时答复", "按提交月份的应答复请求准时率", "未结及超期请求（每周）" })
        {
            Assert.Contains(text, zh);
        }
        Assert.Contains("CN 收到 6 个请求。截至2026年12月10日 00:00 UTC应答复的 1 个请求中，1 个按时答复（100%），0 个逾期答复，0 个超期未答复；5 个尚未到期，0 个已撤回。", zh);
        Assert.Equal(["2026年7月", "2026年8月", "2026年9月", "2026年10月", "2026年11月", "2026年12月"],
            Regex.Matches(Chart().Matches(zh).Single(m => m.Groups["id"].Value == "chart-on-time").Groups["body"].Value, @">(\d{4}年\d{1,2}月)</text>").Select(m => m.Groups[1].Value));
        Assert.Contains("第 \" counter(page) \" 页，共 \" counter(pages) \" 页", zh);
        Assert.DoesNotContain("Executive summary", zh);
        Assert.DoesNotContain("Dec 2026", zh);
        // Request IDs, parties and the engine's lines are kept as written.
        Assert.Contains(">U2</a>", zh);
        Assert.Contains("liaison-us/US-2", zh);

        var both = ReviewPackHtml.Render(report, PackLanguage.Both);
        Assert.Contains("<span lang=\"en\">Executive summary by responding party</span> · <span lang=\"zh-Hans\">按答复方的执行摘要</span>", both);
        Assert.Contains("CN received 6 request(s).", both);
        Assert.Contains("CN 收到 6 个请求。", both);
    }

    [Fact]
    public async Task A_request_whose_party_has_no_calendar_is_named_with_the_reason_and_the_pack_is_still_made()
    {
        await _test.PushAsync("register-ru.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,status,status_changed_at,summary
            R1,US,RU,investigation,high,2026-11-03T09:00:00Z,open,,no calendar for this party
            """, FeedKind.Requests);
        var report = await ComputeAsync();

        var problem = Assert.Single(report.Unevaluated);
        Assert.Equal(("R1", "RU"), (problem.RequestId, problem.RespondingParty));
        Assert.Contains("calendar", problem.Reason);
        Assert.Contains("'RU'", problem.Reason);
        Assert.DoesNotContain(report.Requests, r => r.RequestId == "R1");
        Assert.Equal(["CN", "US"], report.Parties.Select(p => p.RespondingParty));

        var html = ReviewPackHtml.Render(report);
        Assert.Contains("<h2 id=\"not-evaluated\">Requests that could not be evaluated</h2>", html);
        Assert.Matches("""<tr data-request="R1"><td class="t">R1</td><td class="t">US → RU</td>.*calendar""", html);
        Assert.Contains("1 request(s) could not be evaluated and are left out of every figure", html);
        Assert.Contains("R1,US,RU,investigation,high,2026-11-03T09:00:00Z,", ReportFormats.UnevaluatedToCsv(report));
    }
}
