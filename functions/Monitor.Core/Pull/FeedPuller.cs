using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Alerts;
using Monitor.Core.Config;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Pull;

/// <summary>What one source's pull did: its outcome, or why it failed or was skipped.</summary>
public sealed record SourcePull(string Source, string Kind, PullOutcome? Outcome, string? Error, string? Skipped)
{
    public bool Failed => Error is not null;

    public string Line => Error is not null ? $"{Source} ({Kind}): FAILED: {Error}"
        : Skipped is not null ? $"{Source} ({Kind}): skipped: {Skipped}"
        : $"{Source} ({Kind}): {Outcome!.Detail}";
}

/// <summary>
/// Pulls the sources that config/sources.json gives a <c>pull</c> block, into the drop zone, where the blob ingest reads
/// them like any dropped file. The entry point of the <c>PullFeeds</c> timer, <c>monitor run</c> and <c>monitor pull</c>.
/// One pull at a time per source, across hosts: a blob lease on <c>config/_state/pull-lock/&lt;source&gt;</c>; a host that
/// finds it held skips the source (the holder is pulling it now). A failing source does not stop the others; its error
/// is kept in PullState, and after <see cref="PullOptions.FailureAlertAfter"/> failures in a row one operational alert
/// is raised.
/// </summary>
public sealed partial class FeedPuller(
    MonitorStorage storage,
    MonitorConfiguration configuration,
    PullStateStore states,
    TaxiiCollectionPuller taxii,
    MispFeedPuller misp,
    HttpFilePuller files,
    OperationalAlerts alerts,
    IOptions<PullOptions> options,
    IClock clock,
    TimeProvider time,
    ILogger<FeedPuller> logger)
{
    /// <summary>The NCRONTAB setting of the PullFeeds timer, which pulls every source whose own schedule is due.</summary>
    public const string ScheduleSetting = "PullFeedsSchedule";
    public const string DefaultSchedule = "0 * * * * *";
    public const string LockFolder = "_state/pull-lock/";

    /// <summary>Pulls now, whatever the schedules: every pulled source, or only <paramref name="only"/>.</summary>
    public async Task<IReadOnlyList<SourcePull>> PullAsync(string? only, CancellationToken cancellationToken)
    {
        var sources = await PulledSourcesAsync(cancellationToken);
        if (only is not null)
        {
            sources = [.. sources.Where(s => string.Equals(s.Name, only, StringComparison.OrdinalIgnoreCase))];
            if (sources.Count == 0)
            {
                throw new PullException($"config/sources.json has no source '{only}' with a pull block");
            }
        }
        var results = new List<SourcePull>();
        foreach (var source in sources)
        {
            results.Add(await PullOneAsync(source.Name, source.Pull!, cancellationToken));
        }
        return results;
    }

    /// <summary>Pulls each source whose schedule had an occurrence since its last pull (a source never pulled is due).</summary>
    public async Task<IReadOnlyList<SourcePull>> PullDueAsync(CancellationToken cancellationToken)
    {
        var sources = await PulledSourcesAsync(cancellationToken);
        if (sources.Count == 0)
        {
            return [];
        }
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        var last = (await states.SourcesAsync(cancellationToken)).ToDictionary(s => s.PartitionKey, s => s.LastPullAt, StringComparer.Ordinal);
        var results = new List<SourcePull>();
        foreach (var source in sources)
        {
            if (IsDue(source.Pull!, last.GetValueOrDefault(PullStateStore.Partition(source.Name)), now))
            {
                results.Add(await PullOneAsync(source.Name, source.Pull!, cancellationToken));
            }
        }
        return results;
    }

    public static bool IsDue(PullSettings pull, DateTimeOffset? lastPullAt, DateTimeOffset now) =>
        lastPullAt is not { } last || pull.Crontab.GetNextOccurrence(last.UtcDateTime) <= now.UtcDateTime;

    private async Task<List<SourceSettings>> PulledSourcesAsync(CancellationToken cancellationToken) =>
        [.. (await configuration.LoadAsync(cancellationToken)).Sources.Sources.Where(s => s.Pull is not null)];

    private async Task<SourcePull> PullOneAsync(string source, PullSettings pull, CancellationToken cancellationToken)
    {
        source = source.ToLowerInvariant();
        await storage.EnsureCreatedAsync(cancellationToken);
        var lockBlob = storage.Config.GetBlobClient(LockFolder + source);
        await using var held = await BlobLock.TryAcquireAsync(lockBlob, $"Leased while source '{source}' is being pulled, so that two hosts never pull it at once. The content is not used.\n",
            options.Value.Timings, time, logger, cancellationToken);
        if (held is null)
        {
            LogHeld(source);
            return new SourcePull(source, pull.KindName, null, null, $"another host is pulling it now (it holds {storage.Config.Name}/{LockFolder}{source})");
        }
        using var whileHeld = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        var state = await states.GetAsync(source, cancellationToken);
        var startedAt = clock.GetCurrentInstant().ToDateTimeOffset();
        state.Kind = pull.KindName;
        state.Url = PullHttp.Show(pull.Url);
        state.LastPullAt = startedAt;
        PullOutcome? outcome = null;
        string? error = null;
        try
        {
            outcome = pull.Kind switch
            {
                PullKind.Taxii21 => await taxii.PullAsync(source, pull, state, whileHeld.Token),
                PullKind.MispFeed => await misp.PullAsync(source, pull, whileHeld.Token),
                _ => await files.PullAsync(source, pull, state, whileHeld.Token),
            };
        }
        catch (Exception ex) when (ex is PullException or JsonException or IOException or HttpRequestException or RequestFailedException
                                   || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = ex is OperationCanceledException
                ? $"stopped: the pull lock was lost ({held.LostReason}), so another host may be pulling it"
                : ex is RequestFailedException storageError ? $"storage error {storageError.Status} {storageError.ErrorCode}: {storageError.Message.Split('\n')[0]}"
                : ex.Message;
        }
        if (outcome is not null)
        {
            state.LastSuccessAt = startedAt;
            state.LastBlobs = outcome.Blobs;
            state.LastObjects = outcome.Items;
            state.ConsecutiveFailures = 0;
            state.FailureAlertedAt = null;
            LogPulled(source, outcome.Detail);
        }
        else
        {
            state.LastError = error;
            state.LastErrorAt = startedAt;
            state.ConsecutiveFailures++;
            LogFailed(source, state.ConsecutiveFailures, error!);
            await AlertIfFailingAsync(state, cancellationToken);
        }
        await states.SaveAsync(state, cancellationToken);
        return new SourcePull(source, pull.KindName, outcome, error, null);
    }

    /// <summary>One operational alert per run of failures, once it reaches the threshold; a success starts a new run.</summary>
    private async Task AlertIfFailingAsync(PullStateEntity state, CancellationToken cancellationToken)
    {
        var threshold = options.Value.FailureAlertAfter;
        if (threshold == 0 || state.ConsecutiveFailures < threshold || state.FailureAlertedAt is not null)
        {
            return;
        }
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        var since = state.LastSuccessAt ?? state.LastErrorAt ?? now;
        var alert = new OperationalAlert(
            $"pull|{state.Source}|{since.UtcTicks:D19}",
            $"PULL FAILING: source {state.Source} ({state.Kind})",
            $"{state.ConsecutiveFailures} pulls in a row failed (last success: {(state.LastSuccessAt is { } s ? s.UtcDateTime.ToString("u") : "never")}). Last error: {state.LastError}",
            since, state.ConsecutiveFailures, now);
        var sent = await alerts.RaiseAsync(alert, cancellationToken);
        state.FailureAlertedAt = now;
        LogAlerted(state.Source, state.ConsecutiveFailures, sent);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Source}: {Detail}")]
    private partial void LogPulled(string source, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull of {Source} failed ({Failures} in a row): {Error}")]
    private partial void LogFailed(string source, int failures, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull of {Source} skipped: another host holds its pull lock")]
    private partial void LogHeld(string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Operational alert: source {Source} failed {Failures} pulls in a row ({Delivery})")]
    private partial void LogAlerted(string source, int failures, string delivery);
}
