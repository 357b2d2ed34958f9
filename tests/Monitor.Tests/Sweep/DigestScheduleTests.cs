using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitor.Cli;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;
using NCrontab;
using NodaTime;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The daily digest stands on its own: the sweep does not write it, the digest's own run (the DailyDigest timer, the
/// digest step of `monitor run`) writes it on its own schedule with the same once-a-day rule.
/// </summary>
public sealed class DigestScheduleTests
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        D-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,Needs an answer,
        """;

    [Fact]
    public async Task The_sweep_writes_no_digest_and_the_digest_run_writes_it_once_a_day_without_a_sweep()
    {
        await using var test = await StartAsync(null);
        var kit = new SweepTestKit(test);
        var writer = test.Services.GetRequiredService<DigestWriter>();

        await kit.SweepAsync("2026-11-16T03:30:00Z");
        Assert.False(await Blob(test, "digests/2026-11-16.md").ExistsAsync());

        // No sweep at 04:30: the digest is computed from the timelines, so it still sees the acknowledgement overdue.
        var first = await writer.WriteIfDueAsync(SweepTestKit.At("2026-11-16T04:30:00Z"), CancellationToken.None);
        Assert.NotNull(first);
        Assert.Contains("| D-1 | US | critical | investigation | acknowledgement | overdue |", await ReadAsync(test, "digests/2026-11-16.md"));
        var stamp = (await Blob(test, "digests/2026-11-16.md").GetPropertiesAsync()).Value.ETag;

        Assert.Null(await writer.WriteIfDueAsync(SweepTestKit.At("2026-11-16T05:30:00Z"), CancellationToken.None));
        Assert.Equal(stamp, (await Blob(test, "digests/2026-11-16.md").GetPropertiesAsync()).Value.ETag);
        Assert.Equal(first.MarkdownBlob, (await writer.WriteIfDueAsync(SweepTestKit.At("2026-11-16T04:30:00Z"), CancellationToken.None))?.MarkdownBlob);
    }

    [Fact]
    public async Task Monitor_run_writes_the_digest_on_its_own_schedule()
    {
        // Sweeps once a year, digests hourly: only the digest step can write the file.
        await using var test = await StartAsync(new Dictionary<string, string?> { [LocalHost.DigestScheduleSetting] = "0 0 * * * *" });
        test.Clock.Reset(Instant.FromUtc(2026, 11, 16, 4, 59, 50));
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var yearly = CrontabSchedule.Parse("0 0 1 1 *");
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var digested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = test.Host.WatchAsync(yearly, TimeSpan.FromMilliseconds(50), line =>
        {
            lines.Enqueue(line);
            (line.StartsWith("Watching", StringComparison.Ordinal) ? watching : line.StartsWith("Digest:", StringComparison.Ordinal) ? digested : null)?.TrySetResult();
        }, stop.Token);

        // Watching: its schedules are set from the clock (next digest at 05:00), which stands still until moved.
        await watching.Task.WaitAsync(stop.Token);
        Assert.False(await Blob(test, "digests/2026-11-16.md").ExistsAsync());
        test.Clock.Reset(Instant.FromUtc(2026, 11, 16, 5, 0, 10));
        await digested.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await watch;

        Assert.Equal($"Digest: 1 clocks need attention, written to {test.Storage.Reports.Name}/digests/2026-11-16.md and .html.", lines.Single(l => l.StartsWith("Digest:", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("Sweep at", StringComparison.Ordinal));
        Assert.Contains("| D-1 | US | critical | investigation | acknowledgement | overdue |", await ReadAsync(test, "digests/2026-11-16.md"));
    }

    [Fact]
    public async Task Monitor_run_refuses_an_invalid_digest_schedule()
    {
        await using var test = new TestStorage(settings: new Dictionary<string, string?> { [LocalHost.DigestScheduleSetting] = "every day" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            test.Host.WatchAsync(CrontabSchedule.Parse("0 0 1 1 *"), TimeSpan.FromMilliseconds(50), _ => { }, CancellationToken.None));
        Assert.Contains("DailyDigestSchedule 'every day' is not a valid NCRONTAB expression", error.Message);
    }

    private static async Task<TestStorage> StartAsync(Dictionary<string, string?>? settings)
    {
        var test = new TestStorage(settings: settings);
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        var (_, failures) = await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        return test;
    }

    private static BlobClient Blob(TestStorage test, string name) => test.Storage.Reports.GetBlobClient(name);

    private static async Task<string> ReadAsync(TestStorage test, string name) => (await Blob(test, name).DownloadContentAsync()).Value.Content.ToString();
}
