using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;
using Monitor.Cli;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Reporting;

/// <summary>
/// `monitor requests --format` and `monitor report`, run as a user runs them: the built CLI in its own process, with
/// MonitorStorage pointing at the seeded slice of Azurite.
/// </summary>
public sealed class ReportingCliTests(ReportingCliTests.Seeded seeded) : IClassFixture<ReportingCliTests.Seeded>
{
    public sealed class Seeded : IAsyncLifetime
    {
        public TestStorage Test { get; } = new(ReportScenario.AsOf);

        public Task InitializeAsync() => ReportScenario.SeedAsync(Test);

        public async Task DisposeAsync() => await Test.DisposeAsync();
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("report")]
    public void The_new_verbs_have_help(string verb)
    {
        var output = new StringWriter();
        Assert.Equal(0, MonitorCommands.Build().Parse([verb, "--help"]).Invoke(new InvocationConfiguration { Output = output }));
        Assert.Contains("Usage:", output.ToString());
    }

    [Theory]
    [InlineData("report 2026-H3 --out x.html", "a half-year is H1 or H2")]
    [InlineData("report 2026-H1 --format docx --out x.docx", "docx")]
    [InlineData("report 2026-H1 --lang fr --out pack", "--lang 'fr' is not a language: use en, zh or both")]
    [InlineData("report 2026-H1", "--out")]
    [InlineData("requests --level late", "--level 'late' is not a level")]
    [InlineData("requests --format xml", "xml")]
    [InlineData("serve --port 70000", "--port must be between 0 and 65535")]
    public void Bad_arguments_are_refused_with_a_clear_error(string args, string message)
    {
        var parse = MonitorCommands.Build().Parse(args.Split(' '));
        Assert.Contains(parse.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requests_as_csv_and_json()
    {
        var (exit, csv, error) = await RunAsync("requests", "--party", "US", "--format", "csv");
        Assert.True(exit == 0, error);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("RequestId,RequestingParty,RespondingParty,Category,Priority,SubmittedAt,Status,Level,", lines[0]);
        Assert.Equal(["B1", "B2", "B3", "B4", "B5"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith("B5,CN,US,investigation,high,2026-12-14T14:00:00Z,withdrawn,stopped,", lines[5]);

        (exit, var json, error) = await RunAsync("requests", "--party", "CN", "--level", "escalated", "--format", "json");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(["A5"], doc.RootElement.EnumerateArray().Select(r => r.GetProperty("requestId").GetString()));
    }

    [Fact]
    public async Task Report_writes_the_pack_folder_or_the_chosen_file_and_stores_the_whole_pack()
    {
        // A register row whose responding party has no calendar: the pack is still made, and names it (#19 item 1).
        await seeded.Test.PushAsync("register-ru.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,status,status_changed_at,summary
            R1,US,RU,investigation,high,2026-11-03T09:00:00Z,open,,no calendar for this party
            """, Monitor.Core.FeedKind.Requests);
        Assert.Empty((await seeded.Test.Host.RunOnceAsync(ReportScenario.AsOf, null, CancellationToken.None)).Failures);
        var dir = Directory.CreateTempSubdirectory("monitor-report-");
        try
        {
            var csvPath = Path.Combine(dir.FullName, "h1.csv");
            var (exit, output, error) = await RunAsync("report", "2026-H1", "--format", "csv", "--out", csvPath, "--as-of", "2027-01-15T00:00:00Z");
            Assert.True(exit == 0, error + output);
            Assert.Equal(PeriodStatsTests.Expected["2026-H1"], (await File.ReadAllTextAsync(csvPath)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1));
            Assert.Contains("Wrote " + csvPath, output);

            // --out names a folder, created if missing, even without a trailing slash.
            var packDir = Path.Combine(dir.FullName, "pack");
            (exit, output, error) = await RunAsync("report", "2026-H2", "--out", packDir, "--lang", "zh", "--as-of", "2027-01-15T00:00:00Z");
            Assert.True(exit == 0, error + output);
            Assert.Contains("Not evaluated, left out of every figure: R1 (US -> RU)", output);
            Assert.Contains("calendar of party 'RU'", output);
            Assert.DoesNotContain("No PDF", output);
            string[] expected = ["feeds.csv", "not-evaluated.csv", "on-time-by-month.csv", "open-overdue-trend.csv", "parties.csv", "period-stats.csv", "quality.csv", "report.json", "requests.csv", "review-pack.html", "review-pack.pdf"];
            Assert.Equal(expected, Directory.GetFiles(packDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.StartsWith("%PDF-", await File.ReadAllTextAsync(Path.Combine(packDir, "review-pack.pdf")));
            var page = await File.ReadAllTextAsync(Path.Combine(packDir, "review-pack.html"));
            Assert.Contains("<html lang=\"zh-Hans\">", page);
            Assert.Contains("无法评估的请求", page);
            Assert.Contains("<tr data-request=\"R1\">", page);
            Assert.StartsWith("RequestId,RequestingParty,RespondingParty,Category,Priority,SubmittedAt,Reason\r\nR1,US,RU,", await File.ReadAllTextAsync(Path.Combine(packDir, "not-evaluated.csv")));

            // An existing file is not a folder: a clear error, nothing written over it.
            var file = Path.Combine(dir.FullName, "pack.html");
            await File.WriteAllTextAsync(file, "mine");
            (exit, output, _) = await RunAsync("report", "2026-H2", "--out", file);
            Assert.Equal(1, exit);
            Assert.Contains("is a file", output);
            Assert.Equal("mine", await File.ReadAllTextAsync(file));

            var container = new BlobContainerClient(AzuriteServer.ConnectionString, seeded.Test.Storage.Names.Container("reports"));
            var blobs = new List<string>();
            await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "review/", CancellationToken.None))
            {
                blobs.Add(blob.Name);
            }
            Assert.Equal(expected.Select(f => $"review/2026-H1/{f}").Concat(expected.Select(f => $"review/2026-H2/{f}")), blobs.Order(StringComparer.Ordinal));
            var stored = (await container.GetBlobClient("review/2026-H2/review-pack.html").DownloadContentAsync()).Value.Content.ToString();
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(packDir, "review-pack.html")), stored);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["MonitorStorage"] = AzuriteServer.ConnectionString,
                ["Monitor__StoragePrefix"] = seeded.Test.Prefix,
            },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "monitor.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await error);
    }
}
