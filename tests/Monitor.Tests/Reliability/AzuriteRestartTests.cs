using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Benchmarks;
using Monitor.Core.Storage;
using Xunit.Abstractions;

namespace Monitor.Tests.Reliability;

/// <summary>
/// Storage goes away in the middle of an ingest and comes back: `monitor run` must say so, keep trying, and finish
/// with the rows of a clean run. The test has its own Azurite that persists to a folder (an in-memory Azurite
/// would come back empty), stopped gracefully so that it writes its data out, and started again on the same ports,
/// while `monitor run` is frozen in the middle of the ingest.
/// </summary>
public sealed class AzuriteRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Monitor_run_reports_the_outage_retries_and_completes_with_the_clean_run_rows()
    {
        var files = ReliabilityData.Files(requests: 200, feeds: 3, recordsPerFeed: 15_000, density: 0.3);
        var clean = await ReliabilityData.CleanRunAsync(files);

        var folder = Directory.CreateTempSubdirectory("monitor-azurite-");
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(folder.FullName, CancellationToken.None);
            var prefix = "r" + Guid.NewGuid().ToString("N")[..12];
            await using var services = ReliabilityData.ServicesFor(azurite.ConnectionString, prefix);
            var storage = services.GetRequiredService<MonitorStorage>();
            await ReliabilityData.UploadAsync(storage, files);
            var environment = ReliabilityData.MonitorEnvironment(azurite.ConnectionString, prefix, writeBufferEntities: 2000);

            await using (var monitor = MonitorProcess.Start(["run", "--poll-seconds", "0.2"], environment))
            {
                // Once the feeds' events are being written, storage goes away. The process is frozen meanwhile, so that the
                // outage surely meets the ingest in the middle, however fast this machine finishes it.
                var events = new TableClient(azurite.ConnectionString, storage.Names.Table(StorageNames.RequestEventsTable));
                await ReliabilityData.WaitForAsync(async () => await AnyAsync(events), TimeSpan.FromMinutes(2), () => $"the ingest to start writing events:\n{monitor.Tail(20)}");
                await monitor.FreezeAsync();
                var pending = (await Monitor.Cli.FeedAudit.RunAsync(storage, CancellationToken.None)).Unaccounted;
                Assert.True(pending.Count > 0, "the ingest had ended before storage went away: the outage would not meet it");
                var linesBefore = monitor.Output.Count;
                await azurite.StopAsync(CancellationToken.None);
                await monitor.ThawAsync();
                await ReliabilityData.WaitForAsync(() => Task.FromResult(monitor.Output.Skip(linesBefore).Any(IsOutageReport)), TimeSpan.FromMinutes(2),
                    () => $"monitor run to report the outage:\n{monitor.Tail(20)}");
                output.WriteLine("reported: " + monitor.Output.Skip(linesBefore).First(IsOutageReport));
                Assert.False(monitor.HasExited, $"monitor run exited during the outage:\n{monitor.Tail(20)}");

                await azurite.StartAsync(CancellationToken.None);
                await ReliabilityData.WaitForAsync(async () => (await Monitor.Cli.FeedAudit.RunAsync(storage, CancellationToken.None)).Unaccounted.Count == 0,
                    TimeSpan.FromMinutes(3), () => $"every blob accounted for after the restart:\n{monitor.Tail(20)}");
                Assert.DoesNotContain(monitor.Output, line => line.Contains("parked as poison", StringComparison.Ordinal));
            }
            await using (var once = MonitorProcess.Start(["run", "--once", "--as-of", ReliabilityData.AsOfText], environment))
            {
                Assert.Equal(0, await once.WaitForExitAsync(TimeSpan.FromMinutes(2), CancellationToken.None));
            }

            var restarted = await StorageSnapshot.CaptureAsync(azurite.ConnectionString, storage.Names);
            ReliabilityData.AssertSame(clean, restarted);
            Assert.Equal(clean.QueuedAlertIds, restarted.QueuedAlertIds);
            await ReliabilityData.AssertAuditedAsync(storage, files);
            await azurite.StopAsync(CancellationToken.None);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>What `monitor run` prints when storage fails: a failed ingest attempt (logged) or a storage error of the watch loop.</summary>
    private static bool IsOutageReport(string line) =>
        line.Contains("failed (attempt", StringComparison.Ordinal) || line.Contains("Storage error", StringComparison.Ordinal);

    private static async Task<bool> AnyAsync(TableClient table)
    {
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"]))
            {
                return true;
            }
            return false;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }
}
