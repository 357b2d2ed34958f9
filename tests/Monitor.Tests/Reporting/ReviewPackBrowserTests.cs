using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Reporting;

/// <summary>
/// The review pack as the secretariat opens it: the HTML file rendered by headless Chromium, with its charts drawn
/// and its figures equal to the PeriodStats table. The screenshot is kept in artifacts/browser/ for a person to look at.
/// </summary>
public sealed partial class ReviewPackBrowserTests : IAsyncLifetime
{
    private readonly TestStorage _test = new(ReportScenario.AsOf);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [GeneratedRegex("""<td data-party="(?<party>[^"]+)" data-figure="(?<figure>[^"]+)">(?<value>[^<]*)</td>""")]
    private static partial Regex Figure();

    [GeneratedRegex("""<tr data-row="(?<row>[^"]+)">(?<cells>.*?)</tr>""")]
    private static partial Regex StatsRow();

    [GeneratedRegex("""<svg\b[^>]*\bid="(?<id>chart-[a-z-]+)"(?<body>.*?)</svg>""", RegexOptions.Singleline)]
    private static partial Regex Chart();

    [Fact]
    public async Task The_pack_opens_in_headless_Chromium_with_its_charts_drawn_and_its_figures_equal_to_PeriodStats()
    {
        // Fails at once, saying how to install it, when the browser is missing: this check must not pass by skipping.
        Assert.True(File.Exists(HeadlessChromium.Executable));
        await ReportScenario.SeedAsync(_test);
        var reports = _test.Services.GetRequiredService<ReportService>();
        var report = await reports.ComputeAsync(ReportPeriod.Parse("2026-H2"), ReportScenario.AsOf, CancellationToken.None);
        await reports.SaveStatsAsync(report, CancellationToken.None);
        var html = ReviewPackHtml.Render(report);

        // Self-contained: nothing in the page can fetch anything (only in-page anchors).
        Assert.DoesNotMatch(@"\b(src|srcset|action|poster)\s*=", html);
        Assert.DoesNotMatch(@"\bhref\s*=\s*""(?!#)", html);
        Assert.DoesNotMatch(@"url\((?!#)|@import|<script|<link|<iframe|<img", html);

        var artifacts = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "browser"));
        var page = Path.Combine(artifacts.FullName, "review-pack-2026-H2.html");
        await File.WriteAllTextAsync(page, html);
        var dom = await HeadlessChromium.DumpDomAsync(page);

        // Three charts, each an SVG with drawn shapes and its parties' names in the legend.
        var charts = Chart().Matches(dom).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["body"].Value);
        Assert.Equal(["chart-on-time", "chart-overdue-trend", "chart-response-times"], charts.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, body) in charts)
        {
            Assert.True(Regex.Count(body, "<(polyline|polygon|path|rect|line|ellipse)\\b") >= 10, $"{id} draws almost nothing");
            Assert.Contains(">CN</text>", body);
            Assert.Contains(">US</text>", body);
        }

        // The executive summary shows the party figures of the report...
        var figures = Figure().Matches(dom).ToDictionary(m => (m.Groups["party"].Value, m.Groups["figure"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        foreach (var party in report.Parties)
        {
            var m = party.Metrics;
            Assert.Equal(m.RequestsReceived.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "requests-received")]);
            Assert.StartsWith($"{m.RespondedOnTime} (", figures[(party.RespondingParty, "responded-on-time")]);
            Assert.Equal(m.Breaches.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "breaches")]);
            Assert.Equal(m.Escalations.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "escalations")]);
            Assert.Equal(m.OpenAtPeriodEnd.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "open-at-period-end")]);
        }
        // ...which are the hand-computed ones (PeriodStatsTests): CN 2 received, 1 on time; US 3 received, 1 on time.
        Assert.Equal("2", figures[("CN", "requests-received")]);
        Assert.Equal("3", figures[("US", "requests-received")]);
        Assert.Equal("1 (50%)", figures[("CN", "responded-on-time")]);
        Assert.Equal("40", figures[("US", "median-response-hours")]);

        // ...and the page's group table equals the PeriodStats table as a reporting tool reads it.
        var table = new TableClient(AzuriteServer.ConnectionString, _test.Storage.Names.Table("PeriodStats"));
        var stored = new Dictionary<string, string>();
        await foreach (var row in table.QueryAsync<TableEntity>("PartitionKey eq '2026-H2'"))
        {
            stored[row.RowKey] = $"{row.GetInt32("RequestsReceived")} {row.GetInt32("AcknowledgedOnTime")} {row.GetInt32("RespondedOnTime")} {row.GetInt32("Breaches")} {row.GetInt32("Escalations")} {row.GetInt32("OpenAtPeriodEnd")}";
        }
        var shown = StatsRow().Matches(dom).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["row"].Value), m =>
        {
            var cells = Regex.Matches(m.Groups["cells"].Value, "<td[^>]*>([^<]*)</td>").Select(c => c.Groups[1].Value).ToList();
            return $"{cells[3]} {cells[4]} {cells[5]} {cells[9]} {cells[10]} {cells[11]}";
        });
        Assert.Equal(stored.OrderBy(p => p.Key, StringComparer.Ordinal), shown.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(2, stored.Count);

        // Escalated requests link to their explanations inside the page.
        Assert.Contains("<a href=\"#req-A5\">A5</a>", dom);
        Assert.Contains("id=\"req-A5\"", dom);

        // The screenshot: the charts are really painted, in each party's colour (CN blue #1f77b4, US red #d62728).
        var png = Path.Combine(artifacts.FullName, "review-pack-2026-H2.png");
        File.Delete(png);
        await HeadlessChromium.ScreenshotAsync(page, png);
        var pixels = PngPixels.Read(png);
        Assert.Equal((1280, 2000), (pixels.Width, pixels.Height));
        Assert.True(pixels.Count(0x1f, 0x77, 0xb4, 16) > 300, $"too few CN-blue pixels in {png}: {pixels.Count(0x1f, 0x77, 0xb4, 16)}");
        Assert.True(pixels.Count(0xd6, 0x27, 0x28, 16) > 300, $"too few US-red pixels in {png}: {pixels.Count(0xd6, 0x27, 0x28, 16)}");
    }
}
