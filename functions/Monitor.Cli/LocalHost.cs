using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using NCrontab;
using NodaTime;

namespace Monitor.Cli;

/// <summary>What one pass of the local host did.</summary>
public sealed record RunSummary(IReadOnlyList<FeedRunEntity> Feeds, IReadOnlyList<string> Failures, SweepResult Sweep)
{
    /// <summary>The daily digest the pass wrote after its sweep, or null when it was not due.</summary>
    public DigestWriteResult? Digest { get; init; }

    /// <summary>A stop (Ctrl+C, SIGTERM) ended the pass early; <see cref="Failures"/> says what was left pending.</summary>
    public bool Stopped { get; init; }
}

/// <summary>A sweep, then the day's digest when due (null otherwise, and when the sweep was skipped).</summary>
public sealed record SweepStep(SweepResult Sweep, DigestWriteResult? Digest);

/// <summary>
/// The local stand-in for the Functions host: it delivers each new blob version of the drop zone to the same
/// <see cref="FeedIngestor"/> the blob trigger calls (retrying a failing blob, then parking it as poison) and
/// runs the same <see cref="OverdueSweeper"/> and <see cref="DigestWriter"/> as the timer triggers, on the same NCRONTAB
/// schedules.
/// </summary>
public sealed partial class LocalHost(
    MonitorStorage storage,
    FeedRunStore feedRuns,
    FeedIngestor ingestor,
    OverdueSweeper sweeper,
    DigestWriter digests,
    IConfiguration configuration,
    IOptions<MonitorOptions> options,
    IClock clock,
    ILogger<LocalHost> logger)
{
    public const string ScheduleSetting = "OverdueSweepSchedule";
    public const string DefaultSchedule = "0 */5 * * * *";
    public const string DigestScheduleSetting = "DailyDigestSchedule";
    public const string DefaultDigestSchedule = "0 */5 * * * *";

    private readonly Dictionary<string, int> _attempts = [];
    private readonly HashSet<string> _done = [];

    /// <summary>Builds the services of the local host from environment variables plus optional overrides.</summary>
    public static ServiceProvider CreateServices(IDictionary<string, string?>? overrides = null, LogLevel minimumLevel = LogLevel.Warning, IClock? clock = null, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(minimumLevel)
            // The SDK logs expected 404/409 answers (e.g. "container already exists") as warnings: not news to a user.
            .AddFilter("Azure", minimumLevel > LogLevel.Error ? minimumLevel : LogLevel.Error));
        services.AddMonitorCore(configuration);
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }
        services.AddSingleton<LocalHost>();
        configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>`monitor push`: uploads a file to the drop zone (a new blob version if the name exists) and returns the blob name.</summary>
    public async Task<string> PushAsync(string path, FeedKind kind, string? source, CancellationToken cancellationToken)
    {
        var fileName = Path.GetFileName(path);
        var blobName = kind == FeedKind.Requests
            ? $"{StorageNames.RequestsFolder}{fileName}"
            : $"{StorageNames.IncidentsFolder}{(source ?? DefaultSource).Trim().ToLowerInvariant()}/{fileName}";
        if (!DropZonePath.TryParse(blobName, out _, out var error))
        {
            throw new ArgumentException($"cannot push {path} as {blobName}: {error}");
        }
        await storage.EnsureCreatedAsync(cancellationToken);
        await using var stream = File.OpenRead(path);
        await storage.Incoming.GetBlobClient(blobName).UploadAsync(stream, overwrite: true, cancellationToken);
        return blobName;
    }

    public const string DefaultSource = "manual";

    public const string StoppedBeforeSweep = "Stopped before the sweep: the next sweep catches up (levels are computed from state).";

    /// <summary>Ingests every blob version in the drop zone that has no final outcome yet: registers first, then feeds.</summary>
    public async Task<(List<FeedRunEntity> Runs, List<string> Failures)> ProcessPendingAsync(Action<string>? progress, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var pending = new List<BlobItem>();
        await foreach (var blob in storage.Incoming.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var key = VersionKey(blob);
            if (_done.Contains(key))
            {
                continue;
            }
            var (pk, rk) = RunLedger.RunKeys(blob.Name, blob.Properties.ETag!.Value, blob.Properties.LastModified!.Value);
            if (FeedOutcomes.IsFinal(await feedRuns.OutcomeAsync(pk, rk, cancellationToken)))
            {
                _done.Add(key);
                continue;
            }
            pending.Add(blob);
        }
        // Registers first, so that feeds in the same pass can match their indicators. Any order converges for
        // references: a feed that arrives first leaves pending events that the register resolves.
        var ordered = pending.OrderBy(b => b.Name.StartsWith(StorageNames.RequestsFolder, StringComparison.Ordinal) ? 0 : 1).ThenBy(b => b.Name, StringComparer.Ordinal).ToList();

        var runs = new List<FeedRunEntity>();
        var failures = new List<string>();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                failures.Add($"Stopped: {ordered.Count - i} blob version(s) not started, left pending for the next run.");
                break;
            }
            var blob = ordered[i];
            progress?.Invoke($"[{i + 1}/{ordered.Count}] {blob.Name}");
            // A stop (Ctrl+C, SIGTERM) lets the blob in hand finish for StopGrace, then abandons it: its rows are
            // upserts with deterministic keys and it has no final outcome yet, so the next run reads it again cleanly.
            using var inHand = new CancellationTokenSource();
            using (cancellationToken.Register(() => inHand.CancelAfter(StopGrace)))
            {
                try
                {
                    var run = await IngestWithRetriesAsync(blob, failures, inHand.Token);
                    if (run is not null)
                    {
                        runs.Add(run);
                        _done.Add(VersionKey(blob));
                    }
                }
                catch (OperationCanceledException) when (inHand.IsCancellationRequested)
                {
                    failures.Add($"Stopped: {blob.Name} abandoned after {StopGrace.TotalSeconds:0} s, left pending for the next run; {ordered.Count - i - 1} more not started.");
                    break;
                }
            }
        }
        return (runs, failures);
    }

    /// <summary>How long the blob in hand may take to finish after a stop is asked for, before it is abandoned.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>`monitor run --once`: everything pending, then one sweep at <paramref name="asOf"/> and the day's digest when due.</summary>
    public async Task<RunSummary> RunOnceAsync(Instant asOf, Action<string>? progress, CancellationToken cancellationToken)
    {
        var (runs, failures) = await ProcessPendingAsync(progress, cancellationToken);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = await SweepAsync(asOf, progress, cancellationToken);
            return new RunSummary(runs, failures, step.Sweep) { Digest = step.Digest };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The sweep is computed from state, so the next one catches up: what the pass ingested is kept and shown.
            return new RunSummary(runs, failures, new SweepResult(asOf, 0, 0, 0, 0, []) { SkippedBecause = StoppedBeforeSweep }) { Stopped = true };
        }
    }

    /// <summary>
    /// `monitor run --once` and `monitor sweep`: a sweep at <paramref name="asOf"/>, then the daily digest when it is due
    /// (after the sweep, so the digest's reads find the rows at T; a skipped sweep leaves both to the next run).
    /// </summary>
    public async Task<SweepStep> SweepAsync(Instant asOf, Action<string>? waiting, CancellationToken cancellationToken)
    {
        var sweep = await sweeper.SweepAsync(asOf, waiting, cancellationToken);
        return new SweepStep(sweep, sweep.SkippedBecause is null ? await digests.WriteIfDueAsync(asOf, cancellationToken) : null);
    }

    /// <summary>
    /// `monitor run`: poll the drop zone, sweep on <paramref name="schedule"/> and write the daily digest on the
    /// <see cref="DigestScheduleSetting"/> schedule, as the function app's two timers do, until cancelled.
    /// </summary>
    public async Task WatchAsync(CrontabSchedule schedule, TimeSpan pollInterval, Action<string> report, CancellationToken cancellationToken)
    {
        var digestExpression = configuration[DigestScheduleSetting] ?? DefaultDigestSchedule;
        var digestSchedule = ParseSchedule(digestExpression) ?? throw new OptionsValidationException(DigestScheduleSetting, typeof(string),
            [$"{DigestScheduleSetting} '{digestExpression}' is not a valid NCRONTAB expression (e.g. '{DefaultDigestSchedule}')."]);
        var nextSweep = schedule.GetNextOccurrence(clock.GetCurrentInstant().ToDateTimeUtc());
        var nextDigest = digestSchedule.GetNextOccurrence(clock.GetCurrentInstant().ToDateTimeUtc());
        report($"Watching the drop zone every {pollInterval.TotalSeconds:0.#}s; next sweep at {nextSweep:u}. Ctrl+C stops.");
        var ingested = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (runs, failures) = await ProcessPendingAsync(report, cancellationToken);
                ingested += runs.Count;
                foreach (var run in runs)
                {
                    report(FormatRun(run));
                }
                foreach (var failure in failures)
                {
                    report(failure);
                }
                cancellationToken.ThrowIfCancellationRequested();
                var now = clock.GetCurrentInstant();
                if (now.ToDateTimeUtc() >= nextSweep)
                {
                    var sweep = await sweeper.SweepAsync(now, report, cancellationToken);
                    report(sweep.SkippedBecause ?? $"Sweep at {now}: {sweep.RequestsEvaluated} requests evaluated, {sweep.Alerts.Count} alerts");
                    foreach (var problem in sweep.Problems)
                    {
                        report($"  not evaluated: {problem.RequestId}: {problem.Reason}");
                    }
                    nextSweep = schedule.GetNextOccurrence(now.ToDateTimeUtc());
                }
                if (now.ToDateTimeUtc() >= nextDigest)
                {
                    if (await digests.WriteIfDueAsync(now, cancellationToken) is { } digest)
                    {
                        report(DigestLine(digest));
                    }
                    nextDigest = digestSchedule.GetNextOccurrence(now.ToDateTimeUtc());
                }
                await Task.Delay(pollInterval, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (SweepLockLostException ex)
            {
                // The sweep stopped rather than overlap another; the next pass sweeps again.
                report(ex.Message);
                await Task.Delay(pollInterval, cancellationToken).ContinueWith(_ => { }, CancellationToken.None);
            }
            catch (RequestFailedException ex)
            {
                // Storage is unreachable or failing: say so, wait, try again. Nothing is lost: blobs stay pending.
                report($"Storage error ({ex.Status} {ex.ErrorCode}): {ex.Message.Split('\n')[0]}; retrying in {pollInterval.TotalSeconds:0.#}s");
                await Task.Delay(pollInterval, cancellationToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
        report($"Stopped: {ingested} blob version(s) ingested since the start; anything not finished is left pending for the next run.");
    }

    /// <summary>An NCRONTAB expression with or without the seconds field, as the Functions timer trigger takes it; null if invalid.</summary>
    public static CrontabSchedule? ParseSchedule(string expression) =>
        CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 });

    public static string DigestLine(DigestWriteResult digest) =>
        $"Digest: {digest.Report.Items.Count} clocks need attention, written to {digest.Container}/{digest.MarkdownBlob} and .html.";

    public static string FormatRun(FeedRunEntity run) => run.Outcome switch
    {
        FeedOutcomes.Processed => $"{run.BlobName}: processed ({run.Format}), {run.Records} records, {run.Matches} matches, {run.Events} events, {run.Rejects} rejects",
        FeedOutcomes.Duplicate => $"{run.BlobName}: duplicate of {run.DuplicateOf}, nothing written",
        _ => $"{run.BlobName}: {run.Outcome}: {run.Error}",
    };

    private async Task<FeedRunEntity?> IngestWithRetriesAsync(BlobItem blob, List<string> failures, CancellationToken cancellationToken)
    {
        var key = VersionKey(blob);
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await ingestor.IngestAsync(blob.Name, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404 || ex.Status == 412)
            {
                // Deleted or overwritten while we read it: the new version (if any) is picked up next pass.
                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogAttemptFailed(ex, blob.Name, tries);
                if (IsStorageOutage(ex))
                {
                    // Storage failing on its side is not the blob's fault: never poison for it. After a few tries in
                    // this pass the blob stays pending, and the next pass (or `run --once` again) picks it up.
                    if (tries >= options.Value.MaxBlobAttempts)
                    {
                        failures.Add($"{blob.Name}: storage unavailable after {tries} tries ({ex.Message.Split('\n')[0]}); left pending for the next pass");
                        return null;
                    }
                }
                else
                {
                    var attempts = _attempts[key] = _attempts.GetValueOrDefault(key) + 1;
                    if (attempts >= options.Value.MaxBlobAttempts)
                    {
                        failures.Add($"{blob.Name}: failed {attempts} times, parked as poison: {ex.Message}");
                        return await ingestor.MarkPoisonAsync(blob.Name, ex.ToString(), attempts, cancellationToken);
                    }
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << Math.Min(tries, 5))), cancellationToken);
            }
        }
    }

    /// <summary>The storage service is unreachable or failing (5xx, timeouts, dropped connections), after the SDK's own retries.</summary>
    internal static bool IsStorageOutage(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status == 0 || r.Status >= 500 || r.InnerException is not null && IsStorageOutage(r.InnerException),
        HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException or TaskCanceledException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsStorageOutage),
        _ => false,
    };

    private static string VersionKey(BlobItem blob) => $"{blob.Name}\n{blob.Properties.ETag}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest of {Blob} failed (attempt {Attempt})")]
    private partial void LogAttemptFailed(Exception exception, string blob, int attempt);
}
