using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitor.Benchmarks;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Reliability;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The sweep lock against the real Azurite: a sweep that finds another holding it waits and then runs, or skips with
/// a message after the bounded wait (and the next sweep catches up), and a sweep that loses its lease stops.
/// The other holder is another host on the same storage prefix, or the `monitor` CLI as a separate process.
/// </summary>
public sealed class SweepLockTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_sweep_waits_while_another_holds_the_lock_then_runs()
    {
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromMinutes(2));
        await using var test = await ScenarioAsync(settings);
        await using var other = SweepLockSettings.Host(test, settings);
        var holder = await other.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);

        var messages = new List<string>();
        var waiting = new TaskCompletionSource();
        var sweep = test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(ReliabilityData.AsOf, message =>
        {
            lock (messages)
            {
                messages.Add(message);
            }
            waiting.TrySetResult();
        }, CancellationToken.None);
        await waiting.Task.WaitAsync(Deadline);
        Assert.False(sweep.IsCompleted);
        Assert.Empty(await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable));

        await holder.DisposeAsync();
        var result = await sweep.WaitAsync(Deadline);

        Assert.Null(result.SkippedBecause);
        Assert.NotEmpty(result.Alerts);
        var message = Assert.Single(messages);
        Assert.Contains($"Another sweep is in progress (it holds the sweep lock {test.Storage.Config.Name}/_state/sweep-lock); waiting up to 120 s", message);
        Assert.Equal(result.Alerts.Count, (await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names)).QueuedAlertIds.Count);
    }

    [Fact]
    public async Task A_sweep_that_cannot_get_the_lock_within_the_wait_is_skipped_and_the_next_sweep_catches_up()
    {
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromMilliseconds(300));
        await using var test = await ScenarioAsync(settings);
        await using var other = SweepLockSettings.Host(test, settings);
        var sweeper = test.Services.GetRequiredService<OverdueSweeper>();
        var due = await test.ReadAllAsync<ScheduleEntity>(StorageNames.SweepScheduleTable);

        var messages = new List<string>();
        Monitor.Core.Sweep.SweepResult skipped;
        await using (var holder = await other.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None))
        {
            Assert.NotNull(holder);
            skipped = await sweeper.SweepAsync(ReliabilityData.AsOf, messages.Add, CancellationToken.None).WaitAsync(Deadline);
        }

        Assert.Equal(
            $"Sweep skipped: another sweep held the sweep lock ({test.Storage.Config.Name}/_state/sweep-lock) for the whole wait of 0.3 s. "
            + "This is safe: levels are computed from stored state, so the next sweep catches up on everything this one would have done.",
            skipped.SkippedBecause);
        Assert.Single(messages);
        Assert.Equal((0, 0, 0), (skipped.DueEntries, skipped.RequestsEvaluated, skipped.Alerts.Count));
        // Nothing was touched: no alert, every due entry still there.
        Assert.Empty(await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable));
        Assert.Equal(due.Select(e => e.RowKey).Order(StringComparer.Ordinal), (await test.ReadAllAsync<ScheduleEntity>(StorageNames.SweepScheduleTable)).Select(e => e.RowKey).Order(StringComparer.Ordinal));

        // Released: the next sweep does what the skipped one would have done.
        var next = await sweeper.SweepAsync(ReliabilityData.AsOf, CancellationToken.None);
        Assert.Null(next.SkippedBecause);
        Assert.NotEmpty(next.Alerts);
        Assert.Equal(next.Alerts.Select(a => a.AlertId).Order(StringComparer.Ordinal),
            (await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names)).QueuedAlertIds);
    }

    /// <summary>The lease broken under a running sweep (as if it had expired and another sweep had taken it): the sweep stops, with a clear error, and the next one completes.</summary>
    [Fact]
    public async Task A_sweep_that_loses_its_lease_stops_with_a_clear_error()
    {
        var gate = new HoldSweepScheduleReads();
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.Zero, renewEvery: TimeSpan.FromMilliseconds(200));
        await using var test = await ScenarioAsync(settings, services => services.AddSingleton<IStoragePolicyProvider>(gate));
        var sweeper = test.Services.GetRequiredService<OverdueSweeper>();

        gate.Armed = true;
        var sweep = sweeper.SweepAsync(ReliabilityData.AsOf, CancellationToken.None);
        await gate.Entered.Task.WaitAsync(Deadline);
        await test.Storage.Config.GetBlobClient(SweepLock.BlobName).GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);

        var error = await Assert.ThrowsAsync<SweepLockLostException>(() => sweep.WaitAsync(Deadline));
        Assert.Contains($"lost the sweep lock {test.Storage.Config.Name}/_state/sweep-lock (renewing the lease failed with 409", error.Message);
        Assert.Contains("Alerts it wrote but did not queue are queued by the next sweep", error.Message);

        gate.Armed = false;
        var next = await sweeper.SweepAsync(ReliabilityData.AsOf, CancellationToken.None);
        Assert.Null(next.SkippedBecause);
        Assert.NotEmpty(next.Alerts);
    }

    /// <summary>`monitor sweep` (its own process) waits for the sweep of `monitor run` or the timer, then sweeps.</summary>
    [Fact]
    public async Task Monitor_sweep_waits_for_a_sweep_of_another_process_then_sweeps()
    {
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromMinutes(2));
        await using var test = await ScenarioAsync(settings);
        var holder = await test.Services.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);

        await using var cli = MonitorProcess.Start(["sweep", "--as-of", ReliabilityData.AsOfText], Environment(test, settings));
        await ReliabilityData.WaitForAsync(() => Task.FromResult(cli.Output.Any(l => l.Contains("Another sweep is in progress", StringComparison.Ordinal))), Deadline,
            () => "monitor sweep did not say it waits: " + string.Join('\n', cli.Output));
        Assert.False(cli.HasExited);
        await holder.DisposeAsync();

        Assert.Equal(0, await cli.WaitForExitAsync(Deadline, CancellationToken.None));
        Assert.Contains(cli.Output, l => l.StartsWith($"Sweep at {ReliabilityData.AsOfText}:", StringComparison.Ordinal));
        Assert.NotEmpty(await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable));
    }

    [Fact]
    public async Task Monitor_sweep_skipped_after_the_wait_says_why_and_exits_2()
    {
        var settings = SweepLockSettings.Fast(maxWait: TimeSpan.FromMilliseconds(500));
        await using var test = await ScenarioAsync(settings);
        await using var holder = await test.Services.GetRequiredService<SweepLock>().AcquireAsync(null, CancellationToken.None);
        Assert.NotNull(holder);

        await using var cli = MonitorProcess.Start(["sweep", "--as-of", ReliabilityData.AsOfText], Environment(test, settings));

        Assert.Equal(2, await cli.WaitForExitAsync(Deadline, CancellationToken.None));
        var output = string.Join(' ', cli.Output.Select(l => l.Trim()));
        Assert.Contains("Another sweep is in progress", output);
        Assert.Contains("Sweep skipped: another sweep held the sweep lock", output);
        Assert.Contains("the next sweep catches up", output);
        Assert.Empty(await test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable));
    }

    [Theory]
    [InlineData("00:00:10", "00:00:01", "LeaseDuration")]
    [InlineData("00:00:15.5", "00:00:01", "must be whole seconds")]
    [InlineData("00:00:20", "00:00:11", "RenewInterval 00:00:11 must be at most half of LeaseDuration 00:00:20")]
    public void Lease_settings_the_service_or_the_renewal_cannot_keep_are_refused(string lease, string renew, string expected)
    {
        using var services = Monitor.Cli.LocalHost.CreateServices(new Dictionary<string, string?>
        {
            [$"{SweepLockSettings.Section}:LeaseDuration"] = lease,
            [$"{SweepLockSettings.Section}:RenewInterval"] = renew,
        });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SweepLockOptions>>().Value);
        Assert.Contains(expected, error.Message);
    }

    /// <summary>A register and a feed ingested (not swept): a sweep at <see cref="ReliabilityData.AsOf"/> raises alerts.</summary>
    private static async Task<TestStorage> ScenarioAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var test = new TestStorage(ReliabilityData.AsOf, settings, configure);
        await ReliabilityData.UploadAsync(test.Storage, ReliabilityData.Files(requests: 10, feeds: 1, recordsPerFeed: 100, density: 0.5, withDuplicateAndBroken: false));
        var (_, failures) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        return test;
    }

    private static Dictionary<string, string> Environment(TestStorage test, Dictionary<string, string?> settings) =>
        new(settings.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value!)))
        {
            ["MonitorStorage"] = AzuriteServer.ConnectionString,
            ["Monitor__StoragePrefix"] = test.Prefix,
        };

    /// <summary>While armed, holds every read of the sweep schedule until its call is cancelled: a sweep caught inside the lock.</summary>
    private sealed class HoldSweepScheduleReads : IStoragePolicyProvider
    {
        public volatile bool Armed;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HttpPipelinePosition Position => HttpPipelinePosition.PerCall;

        public HttpPipelinePolicy CreatePolicy(StorageService service) => new Policy(this, service);

        private sealed class Policy(HoldSweepScheduleReads owner, StorageService service) : HttpPipelinePolicy
        {
            public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
                ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

            public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            {
                if (owner.Armed && service == StorageService.Table && message.Request.Method == RequestMethod.Get
                    && message.Request.Uri.Path.Contains(StorageNames.SweepScheduleTable, StringComparison.OrdinalIgnoreCase))
                {
                    owner.Entered.TrySetResult();
                    await Task.Delay(Timeout.Infinite, message.CancellationToken);
                }
                await ProcessNextAsync(message, pipeline);
            }
        }
    }
}
