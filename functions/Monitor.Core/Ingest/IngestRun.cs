using Monitor.Core.Feeds;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

/// <summary>What reading one file produced, copied onto its FeedRuns row.</summary>
public sealed class RunCounters
{
    public int Records, MatchedRecords, Matches, Events, PendingEvents, Rejects, Warnings, Suppressed, OverMatched, RequestsLoaded;

    public void CopyTo(FeedRunEntity run)
    {
        run.Records = Records;
        run.MatchedRecords = MatchedRecords;
        run.Matches = Matches;
        run.Events = Events;
        run.PendingEvents = PendingEvents;
        run.Rejects = Rejects;
        run.Warnings = Warnings;
        run.SuppressedMatches = Suppressed;
        run.OverMatchedValues = OverMatched;
        run.RequestsLoaded = RequestsLoaded;
    }
}

/// <summary>One read of one file: its batched writes, its counters, and the ordinal that keys its Rejects rows.</summary>
/// <param name="recordRejects">False when a file is read again for new requests: its rejects were recorded the first time.</param>
internal sealed class IngestRun(FeedRunEntity run, RejectStore rejects, MonitorOptions options, IClock clock, bool recordRejects)
{
    private const int MaxRawRejectChars = 2000;
    private int _rejectOrdinal;

    public FeedRunEntity Run => run;
    public RunCounters Counters { get; } = new();
    public WriteBuffer Buffer { get; } = new(options.WriteParallelism, options.WriteBufferEntities);

    public ValueTask RejectAsync(FeedRejection rejection, CancellationToken cancellationToken) =>
        RejectAsync(rejection.Location, rejection.Reason, rejection.RecordId, rejection.Raw, warning: false, cancellationToken);

    public ValueTask RejectAsync(string location, string reason, string? recordId, string? raw, bool warning, CancellationToken cancellationToken)
    {
        if (warning)
        {
            Counters.Warnings++;
        }
        else
        {
            Counters.Rejects++;
        }
        if (!recordRejects)
        {
            return ValueTask.CompletedTask;
        }
        return rejects.AddAsync(Buffer, new RejectEntity
        {
            PartitionKey = run.ContentHash!,
            RowKey = (++_rejectOrdinal).ToString("D10"),
            BlobName = run.BlobName,
            Source = run.Source,
            Location = location,
            Reason = StoredText.Truncate(reason, 4000),
            RecordId = recordId is null ? null : StoredText.Truncate(recordId, 1000),
            Severity = warning ? "warning" : "reject",
            Raw = raw is null ? null : StoredText.Truncate(raw, MaxRawRejectChars),
            RejectedAt = clock.GetCurrentInstant().ToDateTimeOffset(),
        }, cancellationToken);
    }

    public ValueTask WarnAsync(string location, string reason, string? recordId, CancellationToken cancellationToken) =>
        RejectAsync(location, reason, recordId, null, warning: true, cancellationToken);

    /// <summary>How far a date may lie after the ingest before it is warned about (clock skew and time zones fit in it).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);

    /// <summary>"3 days 4 hours" when <paramref name="at"/> is more than <see cref="FutureTolerance"/> after now; else null.</summary>
    public static string? FutureDated(DateTimeOffset at, IClock clock)
    {
        var ahead = at - clock.GetCurrentInstant().ToDateTimeOffset();
        if (ahead <= FutureTolerance)
        {
            return null;
        }
        return ahead.TotalDays >= 2 ? $"{(int)ahead.TotalDays} days" : $"{(int)ahead.TotalHours} hours";
    }
}
