using Microsoft.Extensions.Options;
using Monitor.Core.Storage;

namespace Monitor.Core.Ingest;

/// <summary>
/// Gives stored timeline entries the effect their request's current parties imply: pending events once their request
/// is registered (from both sides, register and feed, so a race between them converges), and every entry of a request
/// whose parties changed. Keeps RequestEvents to the records that move or may move a clock: an event that becomes
/// related activity is removed (its Matches rows hold it), and related activity that now moves a clock gets its
/// event row. A request with a changed event is marked for the sweep. Safe to run twice.
/// </summary>
public sealed class EventReassessment(RequestStore requests, RequestEventStore events, MatchStore matches, SweepScheduleStore schedule, IOptions<MonitorOptions> options)
{
    /// <summary>Resolves the pending events of these requests; returns the events rewritten or removed.</summary>
    public Task<int> ResolvePendingAsync(IEnumerable<string> requestIds, CancellationToken cancellationToken) =>
        ReassessAsync(requestIds, events.PendingAsync, relatedToo: false, cancellationToken);

    /// <summary>Re-derives the effect of every timeline entry of these requests; returns the events written or removed.</summary>
    public Task<int> ReassessAllAsync(IEnumerable<string> requestIds, CancellationToken cancellationToken) =>
        ReassessAsync(requestIds, events.AllAsync, relatedToo: true, cancellationToken);

    private async Task<int> ReassessAsync(IEnumerable<string> requestIds, Func<string, CancellationToken, Task<List<RequestEventEntity>>> read, bool relatedToo,
        CancellationToken cancellationToken)
    {
        var rewritten = 0;
        foreach (var requestId in requestIds)
        {
            var stored = await read(requestId, cancellationToken);
            // With relatedToo, stored holds every event row, so the merge adds exactly the records stored only in Matches.
            var entries = relatedToo ? RequestTimeline.Merge(stored, await matches.ForRequestAsync(requestId, cancellationToken)) : stored;
            if (entries.Count == 0 || await requests.FindAsync(requestId, cancellationToken) is not { } request)
            {
                continue;
            }
            var storedKeys = stored.Select(e => e.RowKey).ToHashSet(StringComparer.Ordinal);
            var changed = new List<RequestEventEntity>();
            var removed = new List<RequestEventEntity>();
            foreach (var e in entries)
            {
                var effect = EventKinds.EffectOf(e.Kind, e.ReporterParty, request.RequestingParty, request.RespondingParty);
                if (effect == EventEffects.RelatedActivity)
                {
                    if (storedKeys.Contains(e.RowKey))
                    {
                        removed.Add(e);
                    }
                }
                else if (e.Pending || e.Effect != effect)
                {
                    e.Pending = false;
                    // The feed may have spelt the ID in another case: show the register's spelling.
                    e.RequestId = request.RequestId;
                    e.Effect = effect;
                    changed.Add(e);
                }
            }
            if (changed.Count == 0 && removed.Count == 0)
            {
                continue;
            }
            await events.ReplaceAsync(changed, options.Value.WriteParallelism, cancellationToken);
            await events.DeleteAsync(removed, options.Value.WriteParallelism, cancellationToken);
            await schedule.MarkDirtyAsync(request.RequestId, request.PartitionKey, cancellationToken);
            rewritten += changed.Count + removed.Count;
        }
        return rewritten;
    }
}
