using Monitor.Benchmarks;
using Azure;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Monitor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Monitor.Tests.Reliability;

/// <summary>
/// 5% of all storage calls fail (503, 500 after the work was done, timeouts and dropped connections, before and
/// after the service saw the request) while the local host ingests the files and sweeps. The tables must end
/// exactly as after a clean run, and every alert must be there once.
/// </summary>
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(11)]
    [InlineData(29)]
    public async Task With_5_percent_of_storage_calls_failing_the_rows_equal_a_clean_run(int seed)
    {
        var files = ReliabilityData.Files(requests: 60, feeds: 4, recordsPerFeed: 400, density: 0.4);
        var clean = await ReliabilityData.CleanRunAsync(files);

        var faults = new FaultInjector(seed, rate: 0.05) { Enabled = false };
        await using var test = new TestStorage(ReliabilityData.AsOf, configure: services =>
        {
            services.AddSingleton<IStoragePolicyProvider>(faults);
            // The SDK's retry count as in production; shorter waits between retries keep the test within seconds.
            services.AddAzureClients(clients => clients.ConfigureDefaults(options =>
            {
                options.Retry.Delay = TimeSpan.FromMilliseconds(20);
                options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
            }));
        });
        await ReliabilityData.UploadAsync(test.Storage, files);

        faults.Enabled = true;
        var (_, failures) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        // A timer trigger that fails runs again on its next tick; here the next tick comes at once.
        var sweepAttempts = 0;
        for (var done = false; !done; )
        {
            sweepAttempts++;
            try
            {
                await test.Services.GetRequiredService<OverdueSweeper>().SweepAsync(ReliabilityData.AsOf, CancellationToken.None);
                done = true;
            }
            catch (Exception ex) when ((ex is RequestFailedException or AggregateException or TaskCanceledException) && sweepAttempts < 5)
            {
                output.WriteLine($"sweep attempt {sweepAttempts} failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
            }
        }
        faults.Enabled = false;

        var injected = faults.Injected.ToList();
        output.WriteLine($"seed {seed}: {faults.Calls} storage calls, {injected.Count} faults injected ({string.Join(", ", injected.GroupBy(f => f.Kind).Select(g => $"{g.Key} {g.Count()}"))}); sweep attempts {sweepAttempts}; ingest failures {failures.Count}");
        Assert.Empty(failures);
        Assert.True(injected.Count >= 2 * Enum.GetValues<FaultKind>().Length, $"only {injected.Count} faults were injected in {faults.Calls} calls");
        Assert.All(Enum.GetValues<FaultKind>(), kind => Assert.Contains(injected, f => f.Kind == kind));
        Assert.Contains(injected, f => f.Operation == StorageOperation.TableBatch);

        var faulty = await StorageSnapshot.CaptureAsync(AzuriteServer.ConnectionString, test.Storage.Names);
        ReliabilityData.AssertSame(clean, faulty);
        // Every alert is queued; a send whose answer was lost after the service stored it is retried, and
        // Storage queues have no de-duplication: such a message arrives twice (consumers de-duplicate by alertId).
        Assert.Equal(clean.QueuedAlertIds.Distinct(), faulty.QueuedAlertIds.Distinct());
        var lostSendAnswers = injected.Count(f => f.AfterSend && f.Operation == StorageOperation.QueueSend);
        output.WriteLine($"alerts: {clean.QueuedAlertIds.Count} queued in the clean run, {faulty.QueuedAlertIds.Count} messages here ({faulty.QueuedAlertIds.Distinct().Count()} distinct); {lostSendAnswers} queue sends lost their answer");
        Assert.InRange(faulty.QueuedAlertIds.Count - clean.QueuedAlertIds.Count, 0, lostSendAnswers);
        await ReliabilityData.AssertAuditedAsync(test.Storage, files);
    }
}
