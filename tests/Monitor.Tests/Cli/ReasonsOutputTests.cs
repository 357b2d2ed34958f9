using System.CommandLine;
using System.Text.Json;
using Monitor.Benchmarks;
using Monitor.Cli;
using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;
using NCrontab;
using NodaTime;

namespace Monitor.Tests.Cli;

/// <summary>
/// The reasons a user needs, where the user looks: the built `monitor` CLI's run summary, audit and rejects verb, the
/// watch mode's lines, and parse errors.
/// </summary>
public sealed class ReasonsOutputTests : IAsyncLifetime
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        REQ-1,US,CN,investigation,high,2026-11-16T10:00:00-05:00,first,203.0.113.5
        REQ-2,US,RU,investigation,high,2026-11-16T10:00:00-05:00,no calendar for RU,
        REQ-1,US,CN,investigation,low,2026-11-17T10:00:00-05:00,pasted twice,
        """;

    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 20, 0, 0);
    private readonly TestStorage _test = new(AsOf);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    private Dictionary<string, string> Environment => new()
    {
        ["MonitorStorage"] = AzuriteServer.ConnectionString,
        ["Monitor__StoragePrefix"] = _test.Prefix,
    };

    private async Task<(int Exit, List<string> Lines)> CliAsync(params string[] args)
    {
        await using var cli = MonitorProcess.Start(args, Environment);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2), CancellationToken.None);
        return (exit, [.. cli.Output]);
    }

    /// <summary>
    /// Before: the summary said "Rejects 1" and nothing else, warnings (the party without a calendar) were not shown or
    /// counted, a re-push named an internal key, and a quarantine reason was printed twice (log line and summary).
    /// </summary>
    [Fact]
    public async Task Run_once_shows_warning_counts_the_first_reasons_the_original_of_a_duplicate_and_each_quarantine_once()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.Storage.Incoming.GetBlobClient("incidents/liaison-cn/screenshot.csv")
            .UploadAsync(BinaryData.FromBytes([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]), overwrite: true);

        var (exit, lines) = await CliAsync("run", "--once", "--as-of", "2026-11-20T00:00:00Z");

        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.Contains("Warnings", StringComparison.Ordinal));
        Assert.Contains("requests/register.csv: 1 reject, 1 warning:", lines);
        Assert.Contains(lines, l => l.StartsWith("  line 3 warning (REQ-2): responding party 'RU' has no business calendar", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  line 4 reject (REQ-1): duplicate request_id REQ-1: already at line 2", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("appears to be a PNG image", StringComparison.Ordinal));

        // A re-push of the same content names the file it duplicates and when that was read.
        await _test.PushAsync("register-again.csv", Register, FeedKind.Requests);
        (exit, lines) = await CliAsync("run", "--once", "--as-of", "2026-11-20T00:00:00Z");
        Assert.Equal(0, exit);
        var duplicate = Assert.Single(lines, l => l.StartsWith("requests/register-again.csv: duplicate of", StringComparison.Ordinal));
        Assert.Matches(@"^requests/register-again\.csv: duplicate of requests/register\.csv, read \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: the same content", duplicate);
        Assert.DoesNotContain("|", duplicate);

        // The audit lists the same reasons, and the duplicate by name.
        (exit, lines) = await CliAsync("audit");
        Assert.Equal(0, exit);
        Assert.Contains("Rejects and warnings (all of them: monitor rejects)", lines);
        Assert.Contains(lines, l => l.StartsWith("  line 4 reject (REQ-1): duplicate request_id REQ-1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("duplicate of requests/register.csv, read ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Monitor_rejects_lists_every_reject_and_warning_with_filters_as_a_table_or_json()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", """
            record_id,reported_at,reporter,kind,request_refs,indicators,summary
            R1,2026-11-17T03:00:00Z,CN,acknowledgement,REQ-1,not-an-indicator!!,ok
            ,2026-11-17T03:00:00Z,CN,acknowledgement,REQ-1,,no record id
            """, FeedKind.Incidents, "liaison-cn");
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var (exit, lines) = await CliAsync("rejects", "--format", "json");
        Assert.Equal(0, exit);
        using (var all = JsonDocument.Parse(string.Join('\n', lines)))
        {
            var rows = all.RootElement.EnumerateArray().Select(r => $"{r.GetProperty("blobName").GetString()} {r.GetProperty("location").GetString()} {r.GetProperty("severity").GetString()}").ToList();
            Assert.Contains("requests/register.csv line 3 warning", rows);
            Assert.Contains("requests/register.csv line 4 reject", rows);
            Assert.Contains(rows, r => r.StartsWith("incidents/liaison-cn/feed.csv ", StringComparison.Ordinal));
        }

        (exit, lines) = await CliAsync("rejects", "--blob", "requests/register.csv", "--severity", "reject", "--format", "json");
        Assert.Equal(0, exit);
        using (var one = JsonDocument.Parse(string.Join('\n', lines)))
        {
            var row = Assert.Single(one.RootElement.EnumerateArray().ToList());
            Assert.Equal(("line 4", "REQ-1"), (row.GetProperty("location").GetString(), row.GetProperty("recordId").GetString()));
        }

        (exit, lines) = await CliAsync("rejects", "--source", "requests");
        Assert.Equal(0, exit);
        Assert.Contains(lines, l => l.Contains("duplicate request_id REQ-1", StringComparison.Ordinal));
        Assert.Contains("1 rejects, 1 warnings.", lines);
    }

    /// <summary>Before: the watch mode's sweep line said "N alerts" where `run --once` lists each.</summary>
    [Fact]
    public async Task The_watch_modes_sweep_lines_list_the_alerts_and_the_requests_not_evaluated()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        _test.Clock.Reset(Instant.FromUtc(2026, 11, 25, 12, 0));
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var swept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var everySecond = CrontabSchedule.Parse("* * * * * *", new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        var watch = _test.Host.WatchAsync(everySecond, TimeSpan.FromMilliseconds(50), line =>
        {
            lines.Enqueue(line);
            (line.StartsWith("Watching", StringComparison.Ordinal) ? watching : line.StartsWith("  not evaluated", StringComparison.Ordinal) ? swept : null)?.TrySetResult();
        }, stop.Token);
        // The first sweep is due one schedule step after the clock's instant when watching starts: move the clock past it.
        await watching.Task.WaitAsync(stop.Token);
        _test.Clock.Advance(Duration.FromSeconds(2));
        await swept.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await watch;

        Assert.Contains(lines, l => l.StartsWith("Sweep at 2026-11-25T12:00:02Z: ", StringComparison.Ordinal) && l.EndsWith("new alerts.", StringComparison.Ordinal));
        Assert.Contains("  OVERDUE REQ-1 acknowledgement (cycle 0) reached 2026-11-17 09:00:00Z, due 2026-11-17 09:00:00Z", lines);
        Assert.Contains(lines, l => l.StartsWith("  not evaluated REQ-2: ", StringComparison.Ordinal));
        Assert.Contains("requests/register.csv: 1 reject, 1 warning:", lines);
    }

    /// <summary>Before: every parse error printed the whole help text above the one line that matters.</summary>
    [Theory]
    [InlineData(new[] { "run", "--once", "--as-of", "yesterday" }, "--as-of 'yesterday' is not an ISO-8601 instant", "monitor run --help")]
    [InlineData(new[] { "rejects", "--severity", "fatal" }, "fatal", "monitor rejects --help")]
    [InlineData(new[] { "rnu" }, "rnu", "monitor --help")]
    public async Task A_parse_error_prints_the_error_and_a_help_hint_not_the_help(string[] args, string error, string hint)
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await MonitorCommands.RunAsync(args, new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });

        Assert.NotEqual(0, exit);
        var text = output.ToString() + errors.ToString();
        Assert.Contains(error, text);
        Assert.Contains($"Run '{hint}' for its usage.", text);
        Assert.DoesNotContain("Usage:", text);
        Assert.DoesNotContain("Options:", text);
    }
}
