using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Feeds;
using Monitor.Core.Indicators;
using Monitor.Core.Matching;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Ingest;

/// <summary>
/// Reads a request register: each row upserts its Requests row and marks it for the sweep. Then the consequences for
/// what is stored already: pending events of new requests are resolved, events of requests whose parties changed are
/// reassessed, and feeds already read are matched again against new or changed indicators.
/// </summary>
public sealed class RegisterIngest(
    RequestStore requests,
    RejectStore rejects,
    SweepScheduleStore schedule,
    EventReassessment reassessment,
    RetroMatch retroMatch,
    MonitorConfiguration configuration,
    RequestIndexCache indexCache,
    IOptions<MonitorOptions> options,
    IOptions<FeedLimits> limits,
    IClock clock)
{
    /// <summary>What a register row changed about its request, relative to what was stored before.</summary>
    private sealed class Changes
    {
        public HashSet<string> New { get; } = new(StringComparer.OrdinalIgnoreCase);
        public HashSet<string> PartiesChanged { get; } = new(StringComparer.OrdinalIgnoreCase);
        public HashSet<string> IndicatorsChanged { get; } = new(StringComparer.OrdinalIgnoreCase);
    }

    private sealed record KnownRequest(string Partition, string RequestingParty, string RespondingParty, string Indicators, bool RetroPending);

    public async Task<RunCounters> IngestAsync(FeedRunEntity run, FeedSource feed, CancellationToken cancellationToken)
    {
        var ingest = new IngestRun(run, rejects, options.Value, clock, recordRejects: true);
        var config = await configuration.LoadAsync(cancellationToken);
        var known = new Dictionary<string, KnownRequest>(StringComparer.OrdinalIgnoreCase);
        await foreach (var row in requests.RegisteredAsync(cancellationToken))
        {
            known[row.RequestId.Length > 0 ? row.RequestId : row.RowKey] = new KnownRequest(row.PartitionKey, row.RequestingParty, row.RespondingParty, row.Indicators ?? "", row.RetroPending == true);
        }
        ingest.Counters.RequestsLoaded = known.Count;
        var changes = new Changes();
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        await foreach (var entry in RequestRegisterParser.ParseAsync(feed, limits.Value, cancellationToken))
        {
            if (entry is FeedRejection rejection)
            {
                await ingest.RejectAsync(rejection, cancellationToken);
            }
            else if (entry is RequestRecord request)
            {
                if (seen.TryGetValue(request.RequestId, out var firstLocation))
                {
                    // Neither row can be trusted to be the right one, and silently keeping one changed priorities and lost
                    // indicators: the first row stands, the repeat is rejected naming both, and the register must be fixed.
                    await ingest.RejectAsync(request.Location,
                        $"duplicate request_id {request.RequestId}: already at {firstLocation} of this register; this row is rejected and the one at {firstLocation} kept (each request must appear once)",
                        request.RequestId, null, warning: false, cancellationToken);
                    continue;
                }
                seen[request.RequestId] = request.Location;
                await WriteRequestAsync(ingest, request, known, config, changes, cancellationToken);
            }
        }
        await ingest.Buffer.FlushAsync(cancellationToken);

        var counters = ingest.Counters;
        counters.Events = await reassessment.ResolvePendingAsync(changes.New, cancellationToken)
            + await reassessment.ReassessAllAsync(changes.PartiesChanged, cancellationToken);
        await indexCache.InvalidateAsync(cancellationToken);
        var retro = await retroMatch.RunAsync(changes.IndicatorsChanged, cancellationToken);
        counters.Matches = retro.Matches;
        counters.Events += retro.Events;
        foreach (var (blob, reason) in retro.Skipped)
        {
            await ingest.WarnAsync("file", $"feed {blob} could not be read again for the new or changed indicators of this register: {StoredText.Truncate(reason, 1000)}", blob, cancellationToken);
        }
        await ingest.Buffer.FlushAsync(cancellationToken);
        return counters;
    }

    private async Task WriteRequestAsync(IngestRun ingest, RequestRecord request, Dictionary<string, KnownRequest> known, ConfigSnapshot config, Changes changes,
        CancellationToken cancellationToken)
    {
        var indicators = new List<Indicator>();
        foreach (var raw in request.Indicators)
        {
            if (IndicatorNormalizer.TryNormalize(raw, out var indicator, out var error))
            {
                if (!indicators.Contains(indicator))
                {
                    indicators.Add(indicator);
                }
            }
            else
            {
                await ingest.WarnAsync(request.Location, $"indicator '{StoredText.Truncate(raw.Value, 200)}' skipped: {error}", request.RequestId, cancellationToken);
            }
        }
        var formattedIndicators = RequestIndexCache.FormatIndicators(indicators);
        if (StoredText.RequestProblem(request, formattedIndicators) is { } tooLong)
        {
            await ingest.RejectAsync(request.Location, tooLong, request.RequestId, null, warning: false, cancellationToken);
            return;
        }
        ingest.Counters.Records++;
        if (IngestRun.FutureDated(request.SubmittedAt, clock) is { } ahead)
        {
            await ingest.WarnAsync(request.Location, $"submitted_at {request.SubmittedAt:O} is {ahead} after the register was read: a mistyped date? The request's clocks start then", request.RequestId, cancellationToken);
        }
        if (config.CalendarOf(request.RespondingParty) is null)
        {
            // Stored all the same (the register is the record), but say now why its clocks will not run.
            await ingest.WarnAsync(request.Location, $"responding party '{request.RespondingParty}' has no business calendar ({MonitorConfiguration.CalendarsFolder}{request.RespondingParty}.json in the config container): the request's clocks cannot run until one is added or the row is corrected", request.RequestId, cancellationToken);
        }
        var partition = KeyEncoding.Encode(request.RespondingParty);
        known.TryGetValue(request.RequestId, out var old);
        var newIndicators = indicators.Count > 0 && (old is null || old.Indicators != formattedIndicators);
        if (newIndicators || old?.RetroPending == true)
        {
            changes.IndicatorsChanged.Add(request.RequestId);
        }
        if (old is null)
        {
            changes.New.Add(request.RequestId);
        }
        else
        {
            if (old.Partition != partition)
            {
                // The responding party changed: the row moves to the new party's partition.
                await requests.DeleteAsync(old.Partition, request.RequestId, cancellationToken);
            }
            if (!string.Equals(old.RequestingParty, request.RequestingParty, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(old.RespondingParty, request.RespondingParty, StringComparison.OrdinalIgnoreCase))
            {
                // Whose events count on the timeline depends on the parties: reassess the stored ones.
                changes.PartiesChanged.Add(request.RequestId);
            }
        }
        await requests.AddAsync(ingest.Buffer, new RequestEntity
        {
            PartitionKey = partition,
            RowKey = KeyEncoding.RequestKey(request.RequestId),
            RequestId = request.RequestId,
            RequestingParty = request.RequestingParty,
            RespondingParty = request.RespondingParty,
            Category = request.Category,
            Priority = request.Priority,
            SubmittedAt = request.SubmittedAt.ToUniversalTime(),
            Summary = request.Summary is null ? null : StoredText.Truncate(request.Summary, 4000),
            Indicators = formattedIndicators,
            IndicatorCount = indicators.Count,
            Status = RequestStatuses.Name(request.Status),
            StatusChangedAt = request.StatusChangedAt?.ToUniversalTime(),
            RegisterBlob = ingest.Run.BlobName,
            // Written with the indicators, so that a crash before the retro-match leaves the work marked.
            RetroPending = newIndicators ? true : null,
        }, cancellationToken);
        await schedule.MarkDirtyAsync(ingest.Buffer, request.RequestId, partition, cancellationToken);
    }
}
