using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Benchmarks;
using Monitor.Cli;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM stop `monitor serve` and `monitor run` gracefully: the real process gets the real
/// signal once it has printed that it is at the interesting point, and must say what it did and exit 0 (or 130).
/// </summary>
public sealed class StopSignalTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private const string Register = "request_id,requesting_party,responding_party,category,priority,submitted_at\nR-1,US,CN,investigation,high,2026-11-02T09:00:00Z\n";

    [Theory]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGINT)]
    public async Task Serve_stops_on_the_signal_and_exits_0(PosixSignal signal)
    {
        await using var test = new TestStorage();
        await using var cli = MonitorProcess.Start(["serve", "--port", "0"], Environment(test));
        await cli.WaitForLineAsync(l => l.StartsWith("Reporting API on ", StringComparison.Ordinal), Deadline);

        await cli.SignalAsync(signal);

        Assert.Equal(0, await cli.WaitForExitAsync(Deadline, CancellationToken.None));
        Assert.Contains("Stopped: the reporting API no longer listens.", cli.Output);
    }

    [Theory]
    [InlineData(PosixSignal.SIGTERM)]
    [InlineData(PosixSignal.SIGINT)]
    public async Task Watching_stops_on_the_signal_says_what_it_ingested_and_exits_0(PosixSignal signal)
    {
        await using var test = new TestStorage();
        var name = await test.PushAsync("register.csv", Register, FeedKind.Requests);
        await using var cli = MonitorProcess.Start(["run", "--poll-seconds", "0.2"], Environment(test));
        await cli.WaitForLineAsync(l => l.StartsWith($"{name}: processed", StringComparison.Ordinal), Deadline);

        await cli.SignalAsync(signal);

        Assert.Equal(0, await cli.WaitForExitAsync(Deadline, CancellationToken.None));
        Assert.Contains("Stopped: 1 blob version(s) ingested since the start; anything not finished is left pending for the next run.", cli.Output);
    }

    /// <summary>
    /// `run --once` stopped after its ingest (held at the sweep lock, which another sweep holds) keeps and prints the
    /// files it finished, skips the sweep and exits 130, instead of dying silently two seconds later.
    /// </summary>
    [Fact]
    public async Task Run_once_stopped_keeps_and_prints_the_files_it_finished_and_exits_130()
    {
        var settings = new Dictionary<string, string?> { ["Monitor:SweepLock:MaxWait"] = "00:10:00" };
        await using var test = new TestStorage(settings: settings);
        var register = await test.PushAsync("register.csv", Register, FeedKind.Requests);
        await using var holder = await test.Services.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);
        await using var cli = MonitorProcess.Start(["run", "--once", "--as-of", "2026-11-20T00:00:00Z"], Environment(test, settings));
        await cli.WaitForLineAsync(l => l.Contains("Another sweep is in progress", StringComparison.Ordinal), Deadline);

        await cli.SignalAsync(PosixSignal.SIGTERM);

        Assert.Equal(130, await cli.WaitForExitAsync(Deadline, CancellationToken.None));
        var output = string.Join('\n', cli.Output);
        Assert.Contains(register, output);
        Assert.Contains(LocalHost.StoppedBeforeSweep, output);
        var run = Assert.Single(await test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable));
        Assert.Equal(FeedOutcomes.Processed, run.Outcome);
    }

    /// <summary>A stop during a pass lets the blob in hand finish, starts no other, and leaves the rest for the next pass.</summary>
    [Fact]
    public async Task A_stop_during_a_pass_finishes_the_blob_in_hand_and_leaves_the_rest_pending()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        await test.PushAsync("a.csv", "record_id,reported_at,reporter,kind,request_refs\nA-1,2026-11-02T10:00:00Z,CN,acknowledgement,R-1\n", FeedKind.Incidents, "cert");
        var last = await test.PushAsync("b.csv", "record_id,reported_at,reporter,kind,request_refs\nB-1,2026-11-03T10:00:00Z,CN,response,R-1\n", FeedKind.Incidents, "cert");
        using var stop = new CancellationTokenSource();

        // Progress is told just before each blob starts: the stop comes while the second of three is in hand.
        var (runs, failures) = await test.Host.ProcessPendingAsync(line =>
        {
            if (line.StartsWith("[2/3]", StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }, stop.Token);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(FeedOutcomes.Processed, r.Outcome));
        Assert.Equal(["Stopped: 1 blob version(s) not started, left pending for the next run."], failures);
        Assert.DoesNotContain(await test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable), r => r.BlobName == last);

        var (next, _) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Equal([last], next.Select(r => r.BlobName));
    }

    private static Dictionary<string, string> Environment(TestStorage test, Dictionary<string, string?>? settings = null) =>
        new((settings ?? []).Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value!)))
        {
            ["MonitorStorage"] = AzuriteServer.ConnectionString,
            ["Monitor__StoragePrefix"] = test.Prefix,
            ["MONITOR_API_KEY"] = "test-key",
        };
}
