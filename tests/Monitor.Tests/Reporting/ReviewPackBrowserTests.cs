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

    [GeneratedRegex("""<td data-party="(?<party>[^"]+)" data-figure="(?<figure>[^"]+)"[^>]*>(?<value>[^<]*)</td>""")]
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
            Assert.Matches(">CN( [a-z]+)?</text>", body);
            Assert.Matches(">US( [a-z]+)?</text>", body);
        }

        // The executive summary shows the party figures of the report...
        var figures = Figure().Matches(dom).ToDictionary(m => (m.Groups["party"].Value, m.Groups["figure"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        foreach (var party in report.Parties)
        {
            var m = party.Metrics;
            Assert.Equal(m.RequestsReceived.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "requests-received")]);
            Assert.StartsWith($"{m.RespondedOnTime} of {m.ResponsesDue} due (", figures[(party.RespondingParty, "responded-on-time")]);
            Assert.Equal(m.Breaches.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "breaches")]);
            Assert.Equal(m.Escalations.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "escalations")]);
            Assert.Equal(m.OpenAtPeriodEnd.ToString(CultureInfo.InvariantCulture), figures[(party.RespondingParty, "open-at-period-end")]);
        }
        // ...which are the hand-computed ones (PeriodStatsTests): CN 2 received, 1 on time; US 3 received, 1 on time.
        Assert.Equal("2", figures[("CN", "requests-received")]);
        Assert.Equal("3", figures[("US", "requests-received")]);
        Assert.Equal("1 of 2 due (50%)", figures[("CN", "responded-on-time")]);
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
            return $"{cells[3]} {cells[4].Split('/')[0]} {cells[5].Split('/')[0]} {cells[10]} {cells[11]} {cells[12]}";
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

    [Fact]
    public async Task The_PDF_is_printed_by_Chromium_with_a_contents_page_and_page_numbers_and_its_first_page_is_not_blank()
    {
        Assert.True(File.Exists(HeadlessChromium.Executable));
        Assert.True(File.Exists(Pdftoppm), $"{Pdftoppm} is needed to read the PDF: scripts/test.sh installs poppler-utils with apt-get");
        await ReportScenario.SeedAsync(_test);
        var report = await _test.Services.GetRequiredService<ReportService>().ComputeAsync(ReportPeriod.Parse("2026-H2"), ReportScenario.AsOf, CancellationToken.None);
        var (files, problem) = await ReviewPackPdf.PackAsync(report, PackLanguage.Both, CancellationToken.None);
        Assert.Null(problem);

        var artifacts = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "artifacts", "browser"));
        var pdf = Path.Combine(artifacts.FullName, "review-pack-2026-H2.pdf");
        await File.WriteAllBytesAsync(pdf, files[ReportFormats.PdfFile]);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(files[ReportFormats.PdfFile], 0, 5));

        // Page 1 is the contents page; every page carries its number in the page's languages.
        var text = await RunAsync("/usr/bin/pdftotext", pdf, "-");
        var pages = text.Split('\f', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(pages.Length >= 4, $"only {pages.Length} page(s)");
        Assert.Contains("Contents", pages[0]);
        Assert.Contains("目录", pages[0]);
        for (var i = 0; i < pages.Length; i++)
        {
            Assert.Contains($"Page {i + 1} of {pages.Length}", pages[i]);
            Assert.Contains($"第 {i + 1} 页，共 {pages.Length} 页", pages[i]);
        }
        Assert.Contains(pages.Skip(1), page => page.StartsWith("Timeliness", StringComparison.Ordinal) && page.Contains("及时性"));

        // The first page as an image: mostly white paper, but with text on it.
        var prefix = Path.Combine(artifacts.FullName, "review-pack-2026-H2-pdf-page");
        await RunAsync(Pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf, prefix);
        var image = PngPixels.Read(prefix + ".png");
        var total = image.Width * image.Height;
        var ink = total - image.Count(0xff, 0xff, 0xff, 24);
        Assert.True(image.Width > image.Height, "the pack is printed on landscape pages");
        Assert.True(ink > total / 200, $"page 1 of {pdf} is blank: {ink} of {total} pixels are not white");
        Assert.True(ink < total / 2, $"page 1 of {pdf} is mostly ink: {ink} of {total} pixels");
    }

    private const string Pdftoppm = "/usr/bin/pdftoppm";

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {await error}");
        return await output;
    }
}
